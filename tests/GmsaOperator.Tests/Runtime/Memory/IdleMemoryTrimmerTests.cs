using GmsaOperator.Runtime.Memory;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime.Memory;

public sealed class IdleMemoryTrimmerTests
{
    private const long MiB = 1 << 20;

    [TestCase(1 * MiB, 3 * MiB, true)]
    [TestCase(1 * MiB, 1 * MiB, true)] // an idle minute's worth (~1 MiB of resident gen0 pages)
    [TestCase(MiB / 2, MiB / 2, false)] // idle, but nothing worth handing back
    [TestCase(40 * MiB, 40 * MiB, false)] // busy: the GC runs on its own
    [TestCase(4 * MiB, 8 * MiB, false)]
    public void Policy(long thisInterval, long sinceLastTrim, bool trims) =>
        Assert.That(IdleTrimPolicy.Default.ShouldTrim(thisInterval, sinceLastTrim), Is.EqualTo(trims));

    [Test]
    public async Task TrimsOnlyWhileIdle_AndOnlyOnceEnoughAccumulated()
    {
        var time = new FakeTimeProvider();
        long allocated = 0;
        var trims = new List<long>();
        using var stop = new CancellationTokenSource();
        var trimmer = new IdleMemoryTrimmer(time, TimeSpan.FromMinutes(1), IdleTrimPolicy.Default, () => Volatile.Read(ref allocated), () => trims.Add(Volatile.Read(ref allocated)));
        var run = trimmer.RunAsync(stop.Token);

        var minutes = 0;
        async Task Minute(long allocate)
        {
            Interlocked.Add(ref allocated, allocate);
            time.Advance(TimeSpan.FromMinutes(1));
            minutes++;
            await Eventually.HoldsAsync(_ => Task.FromResult(trimmer.Checks >= minutes ? (object)true : null), TimeSpan.FromSeconds(10), $"check {minutes} done");
        }

        await Minute(MiB / 2);   // idle, 0.5 MiB since start: not yet worth it
        Assert.That(trims, Is.Empty);
        await Minute(MiB / 2);   // idle, 1 MiB since start: trim
        Assert.That(trims, Is.EqualTo(new[] { 1 * MiB }));
        await Minute(50 * MiB);  // busy: never
        await Minute(50 * MiB);
        Assert.That(trims, Has.Count.EqualTo(1));
        await Minute(1 * MiB);   // idle again, 101 MiB since the last trim: trim
        Assert.That(trims, Is.EqualTo(new[] { 1 * MiB, 102 * MiB }));

        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task ZeroInterval_NeverRuns()
    {
        var trims = 0;
        await new IdleMemoryTrimmer(new FakeTimeProvider(), TimeSpan.Zero, IdleTrimPolicy.Default, () => 0, () => trims++).RunAsync(CancellationToken.None);
        Assert.That(trims, Is.Zero);
    }
}
