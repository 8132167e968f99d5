using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Bench;

/// <summary>
/// An open-loop (constant-rate) load generator: request i is due at start + i / rate whether or not earlier ones were
/// answered, and its latency counts from that due time, so time spent queued in the client (no free connection, a late
/// timer) is part of the figure instead of silently lowering the offered rate. Up to <see cref="MaxConnections"/>
/// connections; requests beyond that wait for a free one (and that wait is counted too).
/// </summary>
internal sealed class OpenLoopLoad(int webhookPort, X509Certificate2 ca) : IDisposable
{
    public const int MaxConnections = 64;

    private readonly WebhookHttp _http = new(webhookPort, ca, MaxConnections);

    public async Task<AdmissionRun> RunAsync(string path, IAdmissionRequests requests, double ratePerSecond, TimeSpan warmUp, TimeSpan duration, Func<long?> readRss,
        Func<CancellationToken, Task<double?>> readSars, RunProbe probe, CancellationToken cancellationToken)
    {
        var head = _http.HeadFor(path);
        await ScheduleAsync(head, requests, ratePerSecond, warmUp, new LoadTally(), cancellationToken);
        var tally = new LoadTally();
        var sarsBefore = await readSars(cancellationToken);
        await probe.BeginAsync(cancellationToken);
        var sw = Stopwatch.StartNew();
        await using var rss = new RssSampler(readRss);
        await ScheduleAsync(head, requests, ratePerSecond, duration, tally, cancellationToken);
        var elapsed = sw.Elapsed;
        await probe.EndAsync(cancellationToken);
        var sarsAfter = await readSars(cancellationToken);
        var run = tally.Result(path, elapsed, null, null, ratePerSecond);
        return run with
        {
            MaxRssBytes = rss.Max,
            SarsPer1000 = sarsAfter - sarsBefore is { } sent && run.Answered > 0 ? sent * 1000.0 / run.Answered : null,
        };
    }

    // One dispatcher thread sends every request that is due, then sleeps 1 ms (about 1.05 ms on Linux) and catches up
    // with whatever fell due meanwhile; each request is fired without waiting for earlier answers, and all are awaited
    // at the end. It does not spin to the exact due time: a spinning dispatcher holds one of the two cores the operator
    // and the API server share for the whole run. The timer's lateness (under ~1.1 ms) is counted in the latency, since
    // it counts from the due time.
    private async Task ScheduleAsync(byte[] head, IAdmissionRequests requests, double rate, TimeSpan duration, LoadTally tally, CancellationToken cancellationToken)
    {
        var count = (long)(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / rate;
        var inFlight = new List<Task>((int)Math.Min(count, 1 << 20));
        var dispatcher = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                var due = start + (long)(i * interval);
                while (Stopwatch.GetTimestamp() < due) Thread.Sleep(1);
                var request = requests.Next(0);
                inFlight.Add(Task.Run(async () =>
                {
                    var (kind, error) = await _http.SendAsync(head, request, cancellationToken);
                    tally.Add(Stopwatch.GetTimestamp() - due, kind, error);
                }, CancellationToken.None));
            }
        }) { IsBackground = true, Name = "open-loop dispatcher" };
        dispatcher.Start();
        await Task.Run(dispatcher.Join, cancellationToken);
        await Task.WhenAll(inFlight);
    }

    public void Dispose() => _http.Dispose();
}
