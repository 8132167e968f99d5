using System.Diagnostics;

namespace GmsaOperator.Bench;

/// <summary>Result of one admission load run (closed or open loop).</summary>
internal sealed record AdmissionRun(string Path, double RequestsPerSecond, double P50Ms, double P99Ms, double P999Ms, long Requests, long Errors, long? MaxRssBytes,
    string? FirstError, long Denied = 0, long UnauthorisedAllowed = 0, double? SarsPer1000 = null, double OfferedPerSecond = double.NaN)
{
    public long Answered => Requests + Errors;
}

/// <summary>Latencies of answered requests and the counts per outcome, from any number of workers.</summary>
internal sealed class LoadTally
{
    private readonly List<long> _samples = new(1 << 18);
    private long _errors, _denied, _unauthorisedAllowed;
    private string? _firstError;

    public void Add(long ticks, AdmissionOutcome.Kind kind, string? error)
    {
        switch (kind)
        {
            case AdmissionOutcome.Kind.Allowed:
            case AdmissionOutcome.Kind.Denied:
                lock (_samples) _samples.Add(ticks);
                if (kind == AdmissionOutcome.Kind.Denied) Interlocked.Increment(ref _denied);
                break;
            case AdmissionOutcome.Kind.UnauthorisedAllowed:
                Interlocked.Increment(ref _unauthorisedAllowed);
                Interlocked.CompareExchange(ref _firstError, error, null);
                break;
            default:
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, error, null);
                break;
        }
    }

    public AdmissionRun Result(string path, TimeSpan elapsed, long? maxRss, double? sarsPer1000, double offered = double.NaN)
    {
        long[] all;
        lock (_samples) all = [.. _samples];
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new AdmissionRun(path, all.Length / elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99), Percentile(0.999), all.Length, _errors, maxRss, _firstError,
            _denied, _unauthorisedAllowed, sarsPer1000, offered);
    }
}

/// <summary>Samples the operator's VmRSS every 250 ms until disposed; <see cref="Max"/> is the largest sample.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _max;

    public RssSampler(Func<long?> readRss) => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            if (readRss() is { } rss) _max = Math.Max(_max, rss);
            try { await Task.Delay(250, _stop.Token); } catch (OperationCanceledException) { }
        }
    });

    public long? Max => _max == 0 ? null : _max;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
