using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Bench;

/// <summary>
/// A closed-loop HTTPS load generator: <see cref="Connections"/> workers, each a thread of its own with one keep-alive
/// connection (<see cref="WebhookHttp"/>) and one request in flight, trusting only the operator's webhook CA. Loopback only.
/// </summary>
internal sealed class AdmissionLoad(int webhookPort, X509Certificate2 ca) : IDisposable
{
    public const int Connections = 16;

    // Each run's warm-up opens (or reopens) the connections its measured part reuses: no handshakes in the figures.
    private readonly WebhookHttp[] _clients = Enumerable.Range(0, Connections).Select(_ => new WebhookHttp(webhookPort, ca)).ToArray();

    /// <summary>
    /// Warm-up (not measured), then <paramref name="duration"/> of measured requests; RSS sampled every 250 ms;
    /// <paramref name="readSars"/> (the operator's SubjectAccessReview counter) read around the measured part, and
    /// <paramref name="probe"/> (CPU, GC) right around it.
    /// </summary>
    public async Task<AdmissionRun> RunAsync(string path, IAdmissionRequests requests, TimeSpan warmUp, TimeSpan duration, Func<long?> readRss,
        Func<CancellationToken, Task<double?>> readSars, RunProbe probe, CancellationToken cancellationToken)
    {
        var head = WebhookConnection.HeadPrefix(webhookPort, path);
        await LoopAsync(head, requests, warmUp, new LoadTally(), cancellationToken);

        var tally = new LoadTally();
        var sarsBefore = await readSars(cancellationToken);
        await probe.BeginAsync(cancellationToken);
        var sw = Stopwatch.StartNew();
        await using (var rss = new RssSampler(readRss))
        {
            await LoopAsync(head, requests, duration, tally, cancellationToken);
            var elapsed = sw.Elapsed;
            await probe.EndAsync(cancellationToken);
            var sarsAfter = await readSars(cancellationToken);
            var partial = tally.Result(path, elapsed, null, null);
            var sarsPer1000 = sarsAfter - sarsBefore is { } sent && partial.Answered > 0 ? sent * 1000.0 / partial.Answered : (double?)null;
            return partial with { MaxRssBytes = rss.Max, SarsPer1000 = sarsPer1000 };
        }
    }

    private Task LoopAsync(byte[] head, IAdmissionRequests requests, TimeSpan duration, LoadTally tally, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        // Blocking I/O on dedicated threads: an answer wakes its worker directly, with no epoll round and no thread-pool hop.
        var workers = Enumerable.Range(0, _clients.Length).Select(i => Task.Factory.StartNew(() =>
        {
            var http = _clients[i];
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                var request = requests.Next(i);
                var started = Stopwatch.GetTimestamp();
                var (kind, error) = http.Send(head, request);
                tally.Add(Stopwatch.GetTimestamp() - started, kind, error);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        return Task.WhenAll(workers);
    }

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }
}
