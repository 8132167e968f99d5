namespace GmsaOperator.Runtime.Memory;

/// <summary>When an idle process should give memory back: it allocated little in the last interval, but enough since the last trim to be worth it.</summary>
/// <param name="IdleAllocation">At most this many bytes allocated in one interval counts as idle.</param>
/// <param name="WorthReclaiming">At least this many bytes allocated since the last trim (the gen0 area they filled is what a trim hands back).</param>
public sealed record IdleTrimPolicy(long IdleAllocation, long WorthReclaiming)
{
    /// <summary>
    /// Idle: under 4 MiB a minute (an idle operator allocates ~1 MiB: watches, leases, timers); worth it from 1 MiB, so an
    /// idle process trims about once a minute. Each MiB allocated since the last trim is a MiB of resident gen0 pages, and
    /// a trim of an idle heap costs milliseconds; waiting for 2 MiB let an empty operator's RSS creep for over three
    /// minutes (44.4 → 49.7 MB, measured every 2 s with nothing scraping it).
    /// </summary>
    public static IdleTrimPolicy Default { get; } = new(4 << 20, 1 << 20);

    public bool ShouldTrim(long allocatedThisInterval, long allocatedSinceLastTrim) =>
        allocatedThisInterval < IdleAllocation && allocatedSinceLastTrim >= WorthReclaiming;
}

/// <summary>
/// Gives memory back while the process is idle. The GC collects gen0 only once its budget (16 MiB here) is allocated;
/// at an idle operator's ~1 MiB a minute that takes a quarter of an hour, and every page of the budget it fills stays
/// resident until then and after: idle RSS crept from 46 to 67 MB in eight minutes. Each interval in which the process
/// allocated little (<see cref="IdleTrimPolicy"/>) but enough since the last trim, <paramref name="trim"/> runs (an
/// aggressive collection, which decommits what it frees, and the executable's pages). Under load nothing happens.
/// </summary>
public sealed class IdleMemoryTrimmer(TimeProvider time, TimeSpan interval, IdleTrimPolicy policy, Func<long> allocatedBytes, Action trim)
{
    private int _checks;

    /// <summary>How many intervals have been checked.</summary>
    public int Checks => Volatile.Read(ref _checks);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, time);
        var last = allocatedBytes();
        var lastTrim = last;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = allocatedBytes();
                if (policy.ShouldTrim(now - last, now - lastTrim))
                {
                    trim();
                    now = allocatedBytes();
                    lastTrim = now;
                }
                last = now;
                Interlocked.Increment(ref _checks);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
