using GmsaOperator.Webhooks.Http;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks.PortLimits;

/// <summary>The shared budget of request-body bytes: grants while there is room, then first come first served, bounded waits.</summary>
public sealed class BodyBudgetTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    [Test]
    public async Task Grants_WhileThereIsRoom_AndALeaseGivesItsBytesBackOnce()
    {
        var budget = new BodyBudget(10, new FakeTimeProvider());
        var a = await budget.AcquireAsync(6, Wait, CancellationToken.None);
        var b = await budget.AcquireAsync(4, Wait, CancellationToken.None);
        Assert.That((a?.Bytes, b?.Bytes, budget.InUse, budget.Waiting), Is.EqualTo((6L, 4L, 10L, 0)));

        a!.Dispose();
        a.Dispose();
        Assert.That(budget.InUse, Is.EqualTo(4), "a second Dispose gives nothing back twice");
        b!.Dispose();
        Assert.That(budget.InUse, Is.Zero);
    }

    [Test]
    public async Task Waiters_AreServedInArrivalOrder_SoALargeBodyIsNotStarvedBySmallOnes()
    {
        var budget = new BodyBudget(10, new FakeTimeProvider());
        var held = (await budget.AcquireAsync(8, Wait, CancellationToken.None))!;
        var large = budget.AcquireAsync(9, Wait, CancellationToken.None).AsTask();
        var small = budget.AcquireAsync(1, Wait, CancellationToken.None).AsTask();

        Assert.That((large.IsCompleted, small.IsCompleted, budget.Waiting), Is.EqualTo((false, false, 2)),
            "the small one fits the 2 free bytes but arrived after the large one");

        held.Dispose();
        var grantedLarge = await large;
        var grantedSmall = await small;
        Assert.That((grantedLarge?.Bytes, grantedSmall?.Bytes, budget.InUse, budget.Waiting), Is.EqualTo((9L, 1L, 10L, 0)));
    }

    [Test]
    public async Task AWaitThatRunsOut_ReturnsNull_AndLetsTheNextInLineThrough()
    {
        var time = new FakeTimeProvider();
        var budget = new BodyBudget(10, time);
        var held = (await budget.AcquireAsync(8, Wait, CancellationToken.None))!;
        var large = budget.AcquireAsync(9, Wait, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        var small = budget.AcquireAsync(2, Wait, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await large, Is.Null, "its 2 s ran out");
        var grantedSmall = await small;
        Assert.That((grantedSmall?.Bytes, budget.InUse, budget.Waiting), Is.EqualTo((2L, 10L, 0)), "no longer behind the large one");
        held.Dispose();
        grantedSmall!.Dispose();
        Assert.That(budget.InUse, Is.Zero);
    }

    [Test]
    public async Task ACallerThatGivesUp_GetsCancellation_AndHoldsNothing()
    {
        var budget = new BodyBudget(10, new FakeTimeProvider());
        var held = (await budget.AcquireAsync(10, Wait, CancellationToken.None))!;
        using var caller = new CancellationTokenSource();
        var waiting = budget.AcquireAsync(5, Wait, caller.Token).AsTask();

        await caller.CancelAsync();
        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(budget.Waiting, Is.Zero);
        held.Dispose();
        Assert.That(budget.InUse, Is.Zero);
    }

    [Test]
    public void MoreThanTheWholeBudget_IsAProgrammingError()
    {
        var budget = new BodyBudget(10, new FakeTimeProvider());
        Assert.That(async () => await budget.AcquireAsync(11, Wait, CancellationToken.None), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
