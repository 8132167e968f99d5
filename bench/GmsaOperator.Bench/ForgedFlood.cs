using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.TestSupport;
using k8s;
using k8s.Models;

namespace GmsaOperator.Bench;

/// <summary>Result of the forged-review flood: volume, the operator's RSS before and after, and answers that were not a review or a 4xx.</summary>
internal sealed record FloodRun(long Requests, double Seconds, long? RssBeforeBytes, long? RssAfterBytes, long Malformed)
{
    public double RssGrowthMb => RssBeforeBytes is { } before && RssAfterBytes is { } after ? (after - before) / 1e6 : double.NaN;
}

/// <summary>
/// The integration test's flood against the operator process: forged <c>/validate</c> and <c>/validate-gmsabinding</c>
/// bodies (distinct 30,000-character names, distinct allowed names, 60 KiB groups, 10,000-item service-account lists,
/// deep contents) from <see cref="Clients"/> clients; RSS (VmRSS) taken after a warm-up and at the end.
/// </summary>
internal sealed class ForgedFlood(int webhookPort, X509Certificate2 ca) : IDisposable
{
    public const int Clients = 8;
    private const string FloodAccount = "flood";

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Clients,
        SslOptions =
        {
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca }, RevocationMode = X509RevocationMode.NoCheck },
        },
    }) { BaseAddress = new Uri($"https://127.0.0.1:{webhookPort}"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Lets <see cref="FloodAccount"/> in <paramref name="ns"/> use every credspec, as the operator's own account may.</summary>
    public static async Task GrantAsync(IKubernetes client, string ns, CancellationToken ct)
    {
        await BenchCluster.IgnoreConflict(() => client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "bench-flood" },
            Rules = [new V1PolicyRule { ApiGroups = ["windows.k8s.io"], Resources = ["gmsacredentialspecs"], Verbs = ["use"] }],
        }, ns, cancellationToken: ct));
        await BenchCluster.IgnoreConflict(() => client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "bench-flood" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "bench-flood" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = FloodAccount, NamespaceProperty = ns }],
        }, ns, cancellationToken: ct));
    }

    public async Task<FloodRun> RunAsync(string ns, string credSpec, TimeSpan warmUp, TimeSpan duration, Func<long?> readRss, CancellationToken ct)
    {
        var user = $"system:serviceaccount:{ns}:{FloodAccount}";
        var manyAccounts = ForgedReviews.Binding("forged-many", ns, user, [], credSpec, Enumerable.Range(0, 10_000).Select(i => $"sa-{i}"));
        var deep = ForgedReviews.Pod("forged-deep", ns, FloodAccount, credSpec, ForgedReviews.Nested(50_000));
        long counter = 0, malformed = 0;

        async Task LoopAsync(TimeSpan length)
        {
            var end = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end && !ct.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref counter);
                    var (path, body) = (n % 5) switch
                    {
                        0 => ("/validate", ForgedReviews.Pod($"f-{n}", ns, FloodAccount, ForgedReviews.DistinctName(n, 30_000))),
                        1 => ("/validate", ForgedReviews.Pod($"f-{n}", ns, FloodAccount, ForgedReviews.DistinctName(n, 253))),
                        2 => ("/validate-gmsabinding", ForgedReviews.Binding($"f-{n}", ns, user, [ForgedReviews.DistinctName(n, 60 * 1024)], ForgedReviews.DistinctName(n, 253), ["web"])),
                        3 => ("/validate-gmsabinding", manyAccounts),
                        _ => ("/validate", deep),
                    };
                    try
                    {
                        using var content = new ByteArrayContent(body);
                        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        using var response = await _client.PostAsync(path, content, ct);
                        var answer = await response.Content.ReadAsByteArrayAsync(ct);
                        var status = (int)response.StatusCode;
                        if (status is < 400 or >= 500 && ForgedReviews.Decision(answer) is null) Interlocked.Increment(ref malformed);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref malformed);
                    }
                }
            }, CancellationToken.None)));
        }

        await LoopAsync(warmUp);
        var before = readRss();
        var sentBefore = Interlocked.Read(ref counter);
        malformed = 0;
        var sw = Stopwatch.StartNew();
        await LoopAsync(duration);
        return new FloodRun(Interlocked.Read(ref counter) - sentBefore, sw.Elapsed.TotalSeconds, before, readRss(), malformed);
    }

    public void Dispose() => _client.Dispose();
}
