using GmsaOperator.Runtime.Memory;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime.Memory;

public sealed class MemoryTrimmerTests
{
    private const long MiB = 1 << 20;
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromMinutes(1);

    [TestCase(1 * MiB, 3 * MiB, true)]
    [TestCase(1 * MiB, 1 * MiB, true)] // an idle minute's worth (~1 MiB of resident gen0 pages)
    [TestCase(MiB / 2, MiB / 2, false)] // idle, but nothing worth handing back
    [TestCase(40 * MiB, 40 * MiB, false)] // busy: the GC runs on its own
    [TestCase(4 * MiB, 8 * MiB, false)]
    public void Idle(long thisWindow, long sinceLastTrim, bool trims) =>
        Assert.That(MemoryTrimPolicy.Default.Idle(thisWindow, sinceLastTrim), Is.EqualTo(trims));

    [TestCase(0, 32 * MiB, true)] // a cache just filled, then quiet
    [TestCase(3 * MiB, 500 * MiB, true)] // light traffic after a load
    [TestCase(0, 31 * MiB, false)] // under two gen0 budgets: the idle window's business
    [TestCase(4 * MiB, 500 * MiB, false)] // still allocating: the burst is not over
    [TestCase(60 * MiB, 500 * MiB, false)]
    public void AfterBurst(long thisCheck, long sinceLastTrim, bool trims) =>
        Assert.That(MemoryTrimPolicy.Default.AfterBurst(thisCheck, sinceLastTrim), Is.EqualTo(trims));

    private sealed class Clock(MemoryTrimmer trimmer, FakeTimeProvider time)
    {
        public long Allocated;
        public readonly List<(int Check, long Allocated)> Trims = [];
        private int _checks;

        public int ChecksDone => _checks;

        /// <summary>Allocates <paramref name="bytes"/> during the next check interval, then lets the check run.</summary>
        public async Task CheckAsync(long bytes)
        {
            Interlocked.Add(ref Allocated, bytes);
            time.Advance(Check);
            _checks++;
            await Eventually.HoldsAsync(_ => Task.FromResult(trimmer.Checks >= _checks ? (object)true : null), TimeSpan.FromSeconds(10), $"check {_checks} done");
        }
    }

    private static (MemoryTrimmer Trimmer, Clock Clock) Start(TimeSpan check, TimeSpan idleWindow, out Task run, CancellationToken stop)
    {
        var time = new FakeTimeProvider();
        Clock? clock = null;
        var trimmer = new MemoryTrimmer(time, check, idleWindow, MemoryTrimPolicy.Default,
            () => Volatile.Read(ref clock!.Allocated), () => clock!.Trims.Add((clock.ChecksDone, Volatile.Read(ref clock.Allocated))));
        clock = new Clock(trimmer, time);
        run = trimmer.RunAsync(stop);
        return (trimmer, clock);
    }

    [Test]
    public async Task Idle_TrimsAtTheEndOfAWindow_OnlyOnceEnoughAccumulated()
    {
        using var stop = new CancellationTokenSource();
        var (_, clock) = Start(Check, IdleWindow, out var run, stop.Token);

        for (var i = 0; i < 30; i++) await clock.CheckAsync(MiB / 64);   // a window with 0.47 MiB: not yet worth it
        Assert.That(clock.Trims, Is.Empty);
        for (var i = 0; i < 29; i++) await clock.CheckAsync(MiB / 32);
        Assert.That(clock.Trims, Is.Empty, "only at the end of the window");
        await clock.CheckAsync(MiB / 32);                                  // the second window ends, 1.4 MiB since start
        Assert.That(clock.Trims.Select(t => t.Check), Is.EqualTo(new[] { 60 }));

        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task AfterBurst_TrimsAtTheFirstQuietCheck_NotDuringTheBurst()
    {
        using var stop = new CancellationTokenSource();
        var (_, clock) = Start(Check, IdleWindow, out var run, stop.Token);

        for (var i = 0; i < 5; i++) await clock.CheckAsync(100 * MiB);   // a cache filling, a load running
        Assert.That(clock.Trims, Is.Empty, "never while allocating");
        await clock.CheckAsync(MiB);                                      // quiet: trim at once, not at the end of the minute
        Assert.That(clock.Trims, Is.EqualTo(new[] { (6, 501 * MiB) }));
        for (var i = 0; i < 10; i++) await clock.CheckAsync(3 * MiB);    // light steady traffic: once per 32 MiB at most
        Assert.That(clock.Trims, Has.Count.EqualTo(1));
        await clock.CheckAsync(3 * MiB);
        Assert.That(clock.Trims, Has.Count.EqualTo(2));
        Assert.That(clock.Trims[1], Is.EqualTo((17, 534 * MiB)));

        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task NoBurstChecks_TrimsOnlyWhenIdle()
    {
        using var stop = new CancellationTokenSource();
        var (_, clock) = Start(TimeSpan.Zero, Check, out var run, stop.Token);   // the idle window's length as the only tick

        await clock.CheckAsync(100 * MiB);
        await clock.CheckAsync(MiB);   // quiet after a burst, but idle only by the window's measure: under 4 MiB in it, 101 MiB since start
        Assert.That(clock.Trims.Select(t => t.Check), Is.EqualTo(new[] { 2 }));

        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task ZeroIntervals_NeverRun()
    {
        var trims = 0;
        await new MemoryTrimmer(new FakeTimeProvider(), TimeSpan.Zero, TimeSpan.Zero, MemoryTrimPolicy.Default, () => 0, () => trims++).RunAsync(CancellationToken.None);
        Assert.That(trims, Is.Zero);
    }
}
