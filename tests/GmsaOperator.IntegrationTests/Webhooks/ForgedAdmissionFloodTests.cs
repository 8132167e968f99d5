using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime;
using GmsaOperator.TestSupport;
using GmsaOperator.Webhooks;
using GmsaOperator.Webhooks.Authorization;
using GmsaOperator.Webhooks.Http;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>
/// The real operator's webhook port flooded with forged AdmissionReviews for 15 s from several clients: distinct
/// 30,000-character credspec names, distinct valid names a subject may use (each a new cached decision), 60 KiB group
/// strings, 10,000-item service-account lists and deeply nested contents — while a legitimate review keeps being
/// answered correctly and the operator's memory stays bounded.
/// </summary>
[NonParallelizable]
[Category("Hostile")]
public sealed class ForgedAdmissionFloodTests : IntegrationTest
{
    private const int Clients = 6;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Flood = TimeSpan.FromSeconds(15);
    private const long MaxHeapGrowthBytes = 64L * 1024 * 1024;

    // Far below the default (10,000) so the flood of allowed distinct questions overflows it and eviction runs for real.
    private const int CacheBound = 256;

    private enum Forgery { LongName, ManyAllowedNames, HugeGroups, ManyServiceAccounts, DeepContents }

    private string CredSpec => $"flood-{Namespace}";

    [Test]
    public async Task FloodOfForgedReviews_MemoryStaysBounded_AndLegitimateReviewsAreStillAnsweredRight()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await PrepareAsync(ct);
        await using var op = await OperatorInTest.StartAsync(new(Namespace) { Webhooks = o => o.AuthorizationCacheMaxEntries = CacheBound }, ct);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = Clients + 1,
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            }) { BaseAddress = new Uri($"https://127.0.0.1:{op.WebhookPort}"), Timeout = TimeSpan.FromSeconds(30) };

            // The legitimate reviews must be right before the flood, so a failure during it means the flood broke them.
            await Eventually.HoldsAsync(async c => await LegitimateProblemAsync(http, c) is null ? "ok" : null, TimeSpan.FromSeconds(30), "legitimate reviews answered right");

            var counter = 0L;
            var failures = new ConcurrentQueue<string>();
            var outcomes = new ConcurrentDictionary<(Forgery, int), int>();
            var latency = new ConcurrentDictionary<Forgery, long>();
            // These two need not be distinct, so they are built once and the clients' CPU goes into sending.
            var manyAccounts = ForgedReviews.Binding("forged-many", Namespace, $"system:serviceaccount:{Namespace}:flood", [], CredSpec, Enumerable.Range(0, 10_000).Select(i => $"sa-{i}"));
            var deep = ForgedReviews.Pod("forged-deep", Namespace, "flood", CredSpec, ForgedReviews.Nested(50_000));
            var legitimate = new List<string?>();

            async Task FloodAsync(TimeSpan duration, bool record)
            {
                var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
                async Task ClientAsync(int client)
                {
                    while (Stopwatch.GetTimestamp() < end)
                    {
                        var n = Interlocked.Increment(ref counter);
                        var forgery = (Forgery)(n % 5);
                        var uid = $"forged-{n}";
                        var (path, body) = forgery switch
                        {
                            Forgery.LongName => (WebhookPaths.ValidatePod, ForgedReviews.Pod(uid, Namespace, "flood", ForgedReviews.DistinctName(n, 30_000))),
                            Forgery.ManyAllowedNames => (WebhookPaths.ValidatePod, ForgedReviews.Pod(uid, Namespace, "flood", ForgedReviews.DistinctName(n, 253))),
                            Forgery.HugeGroups => (WebhookPaths.ValidateGmsaBinding, ForgedReviews.Binding(uid, Namespace, $"system:serviceaccount:{Namespace}:flood",
                                [ForgedReviews.DistinctName(n, 60 * 1024), "system:authenticated"], ForgedReviews.DistinctName(n, 253), ["web"])),
                            Forgery.ManyServiceAccounts => (WebhookPaths.ValidateGmsaBinding, manyAccounts),
                            _ => (WebhookPaths.ValidatePod, deep),
                        };
                        var sentAt = Stopwatch.GetTimestamp();
                        var (status, decision) = await PostAsync(http, path, body, ct);
                        if (!record) continue;
                        latency.AddOrUpdate(forgery, Stopwatch.GetTimestamp() - sentAt, (_, t) => t + Stopwatch.GetTimestamp() - sentAt);
                        if (status is < 400 or >= 500 && decision is null) failures.Enqueue($"{forgery}: HTTP {status} without a well-formed AdmissionReview");
                        if (decision is { } d && Expected(forgery, d) is { } problem) failures.Enqueue($"{forgery}: {problem}");
                        outcomes.AddOrUpdate((forgery, decision is { } a ? (a.Allowed ? 200 : a.Code) : status), 1, (_, c) => c + 1);
                    }
                }
                async Task LegitimateAsync()
                {
                    while (Stopwatch.GetTimestamp() < end)
                    {
                        var problem = await LegitimateProblemAsync(http, ct);
                        if (record) lock (legitimate) legitimate.Add(problem);
                        await Task.Delay(100, ct);
                    }
                }
                await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientAsync(c), ct)).Append(Task.Run(LegitimateAsync, ct)));
            }

            // Kestrel's, TLS's and the runtime's pools fill to a working set first: growth is measured from after a warm-up.
            await FloodAsync(WarmUp, record: false);
            var (heapBefore, workingSetBefore) = Measure();
            var started = Stopwatch.GetTimestamp();
            var sentBefore = Interlocked.Read(ref counter);
            await FloodAsync(Flood, record: true);
            var flooded = Stopwatch.GetElapsedTime(started);
            var sent = Interlocked.Read(ref counter) - sentBefore;
            var (heapAfter, workingSetAfter) = Measure();

            var cache = (CachingAccessReviewer)op.Services.GetRequiredService<IAccessReviewer>();
            var maxEntries = op.Services.GetRequiredService<IOptions<WebhookOptions>>().Value.AuthorizationCacheMaxEntries;
            var allowedQuestions = outcomes.Where(p => p.Key.Item1 is Forgery.ManyAllowedNames or Forgery.HugeGroups && p.Key.Item2 == 200).Sum(p => p.Value);
            TestContext.Progress.WriteLine(
                $"flood: {sent:N0} forged reviews in {flooded.TotalSeconds:0.0} s ({sent / flooded.TotalSeconds:N0}/s) from {Clients} clients; " +
                $"outcomes {string.Join(", ", outcomes.OrderBy(p => p.Key).Select(p => $"{p.Key.Item1}→{p.Key.Item2}×{p.Value}"))}; " +
                $"mean latency {string.Join(", ", latency.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value * 1000.0 / Stopwatch.Frequency / outcomes.Where(o => o.Key.Item1 == p.Key).Sum(o => o.Value):0} ms"))}; " +
                $"legitimate checks {legitimate.Count}; decisions cached {cache.Count:N0}/{maxEntries:N0}; " +
                $"managed heap after a full compacting GC {heapBefore / 1048576.0:0.0} → {heapAfter / 1048576.0:0.0} MiB; " +
                $"process working set {workingSetBefore / 1048576.0:0} → {workingSetAfter / 1048576.0:0} MiB (test clients included)");

            Assert.Multiple(() =>
            {
                Assert.That(failures.Take(10), Is.Empty, $"every answer is a well-formed AdmissionReview with the expected decision, or a 4xx ({failures.Count} failures)");
                Assert.That(legitimate, Has.Count.GreaterThanOrEqualTo(10).And.All.Null, "the legitimate reviews kept being answered right");
                foreach (var forgery in Enum.GetValues<Forgery>())
                {
                    Assert.That(outcomes.Where(p => p.Key.Item1 == forgery).Sum(p => p.Value), Is.GreaterThan(0), $"{forgery} bodies were answered");
                }
                Assert.That(maxEntries, Is.EqualTo(CacheBound), "the setting reached the operator");
                Assert.That(allowedQuestions, Is.GreaterThan(CacheBound), "more distinct allowed questions than the cache holds");
                Assert.That(cache.Count, Is.LessThanOrEqualTo(maxEntries), "the decision cache stays within its bound");
            });
            // The managed heap after a full compacting GC (operator and test clients share the process; the clients hold
            // nothing between requests): before the bounds, the forged names and groups were kept as cache keys for the TTL.
            Assert.That(heapAfter - heapBefore, Is.LessThan(MaxHeapGrowthBytes),
                $"managed heap grew {(heapAfter - heapBefore) / 1048576.0:0} MiB during the flood (bound {MaxHeapGrowthBytes / 1048576} MiB)");
        }
        finally
        {
            await ClusterObjects.IgnoreNotFoundAsync(() => Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", CredSpec));
        }
    }

    /// <summary>What must come back for each forgery; null when the decision is the expected one.</summary>
    private static string? Expected(Forgery forgery, (bool Allowed, int Code, string Message) d) => forgery switch
    {
        Forgery.LongName when d is { Allowed: false, Code: 422 } && d.Message.Contains("may not be more than 253") => null,
        Forgery.ManyServiceAccounts when d is { Allowed: false, Code: 422 } && d.Message.Contains("must have at most 256 items") => null,
        Forgery.DeepContents when d is { Allowed: false, Code: 422 } && d.Message.Contains("limit of 64 levels") => null,
        // Allowed (the subject may use every credspec) unless the API server was too slow for the review under the flood.
        Forgery.ManyAllowedNames or Forgery.HugeGroups when d.Allowed || d.Message.Contains("error when checking authz access") => null,
        _ => $"unexpected decision {d}",
    };

    /// <summary>Null when the service account granted this credspec is allowed and one without a grant is denied (403).</summary>
    private async Task<string?> LegitimateProblemAsync(HttpClient http, CancellationToken ct)
    {
        var (_, granted) = await PostAsync(http, WebhookPaths.ValidatePod, ForgedReviews.Pod("legit", Namespace, "legit", CredSpec, CredentialSpecSamples.Documentation), ct);
        if (granted is not { Allowed: true }) return $"granted account: {granted}";
        var (_, refused) = await PostAsync(http, WebhookPaths.ValidatePod, ForgedReviews.Pod("legit-refused", Namespace, "nobody", CredSpec), ct);
        return refused is { Allowed: false, Code: 403 } ? null : $"account without a grant: {refused}";
    }

    private static async Task<(int Status, (bool Allowed, int Code, string Message)? Decision)> PostAsync(HttpClient http, string path, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(path, content, ct);
        var answer = await response.Content.ReadAsByteArrayAsync(ct);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType == "application/json" ? ForgedReviews.Decision(answer) : null);
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), self.WorkingSet64);
    }

    /// <summary>A credspec; "flood" may use every credspec in the namespace (like the operator's own account), "legit" only this one.</summary>
    private async Task PrepareAsync(CancellationToken ct)
    {
        await ClusterObjects.CreateCredentialSpecAsync(Client, CredSpec, CredentialSpecSamples.Documentation, ct);
        await GrantAsync("flood", null, ct);
        await GrantAsync("legit", CredSpec, ct);
    }

    private async Task GrantAsync(string serviceAccount, string? credSpec, CancellationToken ct)
    {
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = serviceAccount },
            Rules = [new V1PolicyRule { ApiGroups = ["windows.k8s.io"], Resources = ["gmsacredentialspecs"], Verbs = ["use"], ResourceNames = credSpec is null ? null : [credSpec] }],
        }, Namespace, cancellationToken: ct);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = serviceAccount },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = serviceAccount },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = Namespace }],
        }, Namespace, cancellationToken: ct);
    }
}
