using GmsaOperator.Runtime.Metrics;

namespace GmsaOperator.Bench;

/// <summary>
/// Reads the operator's thread-pool queue length and thread count from its /metrics every <see cref="Interval"/> until
/// stopped: whether admission requests wait for a thread (queue length) while the load runs.
/// </summary>
internal sealed class ThreadPoolSampler
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    public sealed record Result(int Samples, int Missed, double MaxQueueLength, double MeanQueueLength, double MaxThreads);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<(double Queue, double Threads)> _samples = [];
    private readonly Task _loop;
    private int _missed;

    public ThreadPoolSampler(Func<CancellationToken, Task<string>> readMetrics) => _loop = Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await SampleAsync(readMetrics);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    });

    // A scrape that times out under load is a missed sample, not a failed run.
    private async Task SampleAsync(Func<CancellationToken, Task<string>> readMetrics)
    {
        string text;
        try
        {
            text = await readMetrics(_stop.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !_stop.IsCancellationRequested))
        {
            _missed++;
            return;
        }
        if (PrometheusText.Sum(text, DotNetRuntimeMetrics.ThreadPoolQueueLength) is { } queue)
        {
            _samples.Add((queue, PrometheusText.Sum(text, DotNetRuntimeMetrics.ThreadPoolThreads) ?? double.NaN));
        }
    }

    /// <summary>Null when the operator does not expose the thread-pool gauges.</summary>
    public async Task<Result?> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        return _samples.Count == 0 ? null
            : new Result(_samples.Count, _missed, _samples.Max(s => s.Queue), _samples.Average(s => s.Queue), _samples.Max(s => s.Threads));
    }
}
