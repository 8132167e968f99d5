using GmsaOperator.Runtime.Informers;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime;

public sealed class WatchBackoffTests
{
    [Test]
    public void GrowsExponentiallyUpToTheCap()
    {
        var time = new FakeTimeProvider();
        var backoff = new WatchBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromMinutes(2), time, () => 0);

        var delays = Enumerable.Range(0, 6).Select(_ => { time.Advance(TimeSpan.FromSeconds(1)); return backoff.Next().TotalMilliseconds; }).ToList();

        Assert.That(delays, Is.EqualTo(new double[] { 500, 1000, 2000, 4000, 4000, 4000 }));
    }

    [Test]
    public void ResetsAfterAHealthyPeriod()
    {
        var time = new FakeTimeProvider();
        var backoff = new WatchBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromMinutes(2), time, () => 0);
        backoff.Next();
        backoff.Next();
        backoff.Next();
        Assert.That(backoff.Current, Is.EqualTo(TimeSpan.FromSeconds(2)));

        time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromMilliseconds(500)));
    }

    [Test]
    public void JitterAddsUpToTheStepAndStaysCapped()
    {
        var time = new FakeTimeProvider();
        var backoff = new WatchBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromMinutes(2), time, () => 0.5);

        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromSeconds(1.5)));
        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromSeconds(4)), "4 s + 50% jitter is capped at 4 s");
    }
}
