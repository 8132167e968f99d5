using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Bench;

/// <summary>
/// An open-loop (constant-rate) load generator: request i is due at start + i / rate whether or not earlier ones were
/// answered, and its latency counts from that due time, so time spent queued in the client (no free connection, a late
/// timer) is part of the figure instead of silently lowering the offered rate. <see cref="MaxConnections"/> sender
/// threads with a connection each; a due request that finds them all busy waits for one (and that wait is counted too).
/// </summary>
internal sealed class OpenLoopLoad(int webhookPort, X509Certificate2 ca) : IDisposable
{
    public const int MaxConnections = 64;

    // The warm-up opens the connections the measured part reuses (no handshakes in the figures).
    private readonly WebhookHttp[] _clients = Enumerable.Range(0, MaxConnections).Select(_ => new WebhookHttp(webhookPort, ca)).ToArray();

    public async Task<AdmissionRun> RunAsync(string path, IAdmissionRequests requests, double ratePerSecond, TimeSpan warmUp, TimeSpan duration, Func<long?> readRss,
        Func<CancellationToken, Task<double?>> readSars, RunProbe probe, CancellationToken cancellationToken)
    {
        var head = WebhookConnection.HeadPrefix(webhookPort, path);
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

    // One dispatcher thread queues every request that is due, then sleeps 1 ms (about 1.05 ms on Linux) and catches up
    // with whatever fell due meanwhile; senders take requests without waiting for earlier answers. The dispatcher does
    // not spin to the exact due time: a spinning dispatcher holds one of the two cores the operator and the API server
    // share for the whole run. The timer's lateness (under ~1.1 ms) is counted in the latency, which counts from the due time.
    private async Task ScheduleAsync(byte[] head, IAdmissionRequests requests, double rate, TimeSpan duration, LoadTally tally, CancellationToken cancellationToken)
    {
        var count = (long)(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / rate;
        var due = new DueQueue();
        var senders = _clients.Select(http => Task.Factory.StartNew(() =>
        {
            while (due.Take() is var (request, dueAt))
            {
                var (kind, error) = http.Send(head, request);
                tally.Add(Stopwatch.GetTimestamp() - dueAt, kind, error);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var dispatcher = Task.Factory.StartNew(() =>
        {
            try
            {
                var start = Stopwatch.GetTimestamp();
                for (long i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
                {
                    var dueAt = start + (long)(i * interval);
                    while (Stopwatch.GetTimestamp() < dueAt) Thread.Sleep(1);
                    due.Add(requests.Next(0), dueAt);
                }
            }
            finally
            {
                due.Complete();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await dispatcher;
        await Task.WhenAll(senders);
    }

    /// <summary>
    /// Due requests for the senders. A plain monitor: an idle sender sleeps until one is added, where BlockingCollection
    /// (SemaphoreSlim) would first spin, 64 senders' worth, on the cores being measured.
    /// </summary>
    private sealed class DueQueue
    {
        private readonly Queue<(AdmissionRequest Request, long Due)> _queue = new();
        private bool _complete;

        public void Add(AdmissionRequest request, long due)
        {
            lock (_queue)
            {
                _queue.Enqueue((request, due));
                Monitor.Pulse(_queue);
            }
        }

        public void Complete()
        {
            lock (_queue)
            {
                _complete = true;
                Monitor.PulseAll(_queue);
            }
        }

        /// <summary>The next due request; null once completed and drained.</summary>
        public (AdmissionRequest Request, long Due)? Take()
        {
            lock (_queue)
            {
                while (_queue.Count == 0 && !_complete) Monitor.Wait(_queue);
                return _queue.Count > 0 ? _queue.Dequeue() : null;
            }
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }
}
