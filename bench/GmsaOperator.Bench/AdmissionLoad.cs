using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GmsaOperator.Bench;

/// <summary>Result of one admission load run.</summary>
internal sealed record AdmissionRun(string Path, double RequestsPerSecond, double P50Ms, double P99Ms, double P999Ms, long Requests, long Errors, long? MaxRssBytes, string? FirstError);

/// <summary>
/// A closed-loop HTTPS load generator: <see cref="Connections"/> workers, each with one request in flight, over a
/// SocketsHttpHandler limited to that many connections, trusting only the operator's webhook CA. Loopback only.
/// </summary>
internal sealed class AdmissionLoad(int webhookPort, X509Certificate2 ca) : IDisposable
{
    public const int Connections = 16;
    private static readonly byte[] AllowedTrue = Encoding.ASCII.GetBytes("\"allowed\":true");

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Warm-up (not measured), then <paramref name="duration"/> of measured requests; RSS sampled every 250 ms.</summary>
    public async Task<AdmissionRun> RunAsync(string path, byte[] body, TimeSpan warmUp, TimeSpan duration, Func<long?> readRss, CancellationToken cancellationToken)
    {
        var uri = new Uri($"https://127.0.0.1:{webhookPort}{path}");
        await LoopAsync(uri, body, warmUp, null, cancellationToken);

        var samples = new List<long>[Connections];
        long errors = 0;
        string? firstError = null;
        long maxRss = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                if (readRss() is { } rss) maxRss = Math.Max(maxRss, rss);
                try { await Task.Delay(250, stopSampling.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);

        var sw = Stopwatch.StartNew();
        var outcome = await LoopAsync(uri, body, duration, samples, cancellationToken);
        var elapsed = sw.Elapsed;
        await stopSampling.CancelAsync();
        await sampler;
        errors = outcome.Errors;
        firstError = outcome.FirstError;

        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new AdmissionRun(path, all.Length / elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99), Percentile(0.999), all.Length, errors,
            maxRss == 0 ? null : maxRss, firstError);
    }

    private async Task<(long Errors, string? FirstError)> LoopAsync(Uri uri, byte[] body, TimeSpan duration, List<long>[]? samples, CancellationToken cancellationToken)
    {
        long errors = 0;
        string? firstError = null;
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, Connections).Select(i => Task.Run(async () =>
        {
            var mine = new List<long>(1 << 16);
            if (samples is not null) samples[i] = mine;
            var buffer = new byte[64 * 1024];
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await _client.PostAsync(uri, content, cancellationToken);
                    var read = await ReadAllAsync(await response.Content.ReadAsStreamAsync(cancellationToken), buffer, cancellationToken);
                    error = response.StatusCode != HttpStatusCode.OK ? $"HTTP {(int)response.StatusCode}"
                        : buffer.AsSpan(0, read).IndexOf(AllowedTrue) < 0 ? "not allowed: " + Encoding.UTF8.GetString(buffer, 0, Math.Min(read, 400))
                        : null;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    error = e.GetType().Name + ": " + e.Message;
                }
                var took = Stopwatch.GetTimestamp() - started;
                if (error is null) mine.Add(took);
                else
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        return (errors, firstError);
    }

    private static async Task<int> ReadAllAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total == buffer.Length) throw new IOException("response larger than 64 KiB");
        }
        return total;
    }

    public void Dispose() => _client.Dispose();
}
