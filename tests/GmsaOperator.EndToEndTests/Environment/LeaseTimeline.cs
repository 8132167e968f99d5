using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>
/// Records every change of a Lease's holder, polled every 100 ms from the start: a failover that took too long, or
/// went to the wrong replica, shows who held the Lease when.
/// </summary>
internal sealed class LeaseTimeline : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _changes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _loop;

    private LeaseTimeline(IKubernetes client, string @namespace, string name) => _loop = RunAsync(client, @namespace, name);

    public static LeaseTimeline Start(IKubernetes client, string @namespace, string name) => new(client, @namespace, name);

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Adds a line of the test's own (e.g. "leader deleted") at the current time.</summary>
    public void Mark(string what) => _changes.Enqueue($"{_clock.Elapsed.TotalSeconds,7:0.000}s  {what}");

    private async Task RunAsync(IKubernetes client, string @namespace, string name)
    {
        string? last = null;
        while (!_stop.IsCancellationRequested)
        {
            string now;
            try
            {
                var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, @namespace, cancellationToken: _stop.Token);
                now = $"holder '{lease.Spec.HolderIdentity}', duration {lease.Spec.LeaseDurationSeconds}s, transitions {lease.Spec.LeaseTransitions}";
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                now = $"read failed: {e.Message}";
            }
            if (now != last) Mark(now);
            last = now;
            try
            {
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override string ToString() => string.Join(System.Environment.NewLine, _changes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
