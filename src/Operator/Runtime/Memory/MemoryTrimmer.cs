namespace GmsaOperator.Runtime.Memory;

/// <summary>
/// When a quiet process should give memory back: soon after a burst of allocation, or once an idle window allocated
/// little but enough since the last trim to be worth it. All figures are bytes allocated.
/// </summary>
/// <param name="QuietPerCheck">Under this many bytes allocated since the previous check counts as quiet.</param>
/// <param name="Burst">At least this many bytes since the last trim make a quiet check trim at once.</param>
/// <param name="IdlePerWindow">Under this many bytes in a whole idle window counts as idle.</param>
/// <param name="IdleWorth">At least this many bytes since the last trim make an idle window trim.</param>
public sealed record MemoryTrimPolicy(long QuietPerCheck, long Burst, long IdlePerWindow, long IdleWorth)
{
    /// <summary>
    /// Quiet: under 4 MiB in a check (2 s: about 200 admissions a second); a burst: 32 MiB since the last trim, twice the
    /// gen0 budget, so light steady traffic compacts at most every ~16 s and a filled cache at once. Idle: under 4 MiB a
    /// minute (an idle operator allocates ~1 MiB: watches, leases, timers); worth it from 1 MiB, so an idle process trims
    /// about once a minute. Each MiB allocated since the last trim is a MiB of resident gen0 pages, and a trim of an idle
    /// heap costs milliseconds; waiting for 2 MiB let an empty operator's RSS creep for over three minutes (44.4 → 49.7
    /// MB, measured every 2 s with nothing scraping it).
    /// </summary>
    public static MemoryTrimPolicy Default { get; } = new(4 << 20, 32 << 20, 4 << 20, 1 << 20);

    public bool AfterBurst(long allocatedThisCheck, long allocatedSinceLastTrim) =>
        allocatedThisCheck < QuietPerCheck && allocatedSinceLastTrim >= Burst;

    public bool Idle(long allocatedThisWindow, long allocatedSinceLastTrim) =>
        allocatedThisWindow < IdlePerWindow && allocatedSinceLastTrim >= IdleWorth;
}

/// <summary>
/// Gives memory back while the process is quiet. The GC collects gen0 only once its budget (16 MiB here) is allocated,
/// and a full collection only when the older generations grow: what a burst left behind (a cache filled, a load that
/// stopped) and the gen0 area idle timers fill stay resident until then. Idle RSS crept from 46 to 67 MB in eight
/// minutes; with every cache full, the garbage of filling them kept the RSS under the admission mix ~20 MB higher.
/// Every <c>check</c>, <paramref name="trim"/> runs (an aggressive collection, which decommits what it frees, and the
/// executable's pages) if the process was quiet after a burst, and at the end of every <c>idleWindow</c> if it was
/// idle (<see cref="MemoryTrimPolicy"/>). Under load nothing happens.
/// </summary>
public sealed class MemoryTrimmer(TimeProvider time, TimeSpan check, TimeSpan idleWindow, MemoryTrimPolicy policy, Func<long> allocatedBytes, Action trim)
{
    private int _checks;

    /// <summary>How many checks have been made.</summary>
    public int Checks => Volatile.Read(ref _checks);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var burstChecks = check > TimeSpan.Zero;
        var tick = burstChecks ? check : idleWindow;
        if (tick <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(tick, time);
        var last = allocatedBytes();
        var lastTrim = last;
        var windowStart = last;
        var windowStartedAt = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = allocatedBytes();
                var windowEnded = idleWindow > TimeSpan.Zero && time.GetElapsedTime(windowStartedAt) >= idleWindow;
                if ((burstChecks && policy.AfterBurst(now - last, now - lastTrim))
                    || (windowEnded && policy.Idle(now - windowStart, now - lastTrim)))
                {
                    trim();
                    now = allocatedBytes();
                    lastTrim = now;
                }
                if (windowEnded)
                {
                    windowStart = now;
                    windowStartedAt = time.GetTimestamp();
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
