using GmsaOperator.Webhooks.Authorization;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks;

public sealed class CoalescingAccessReviewerTests
{
    private static readonly AccessSubject Sa = AccessSubject.ForServiceAccount("ns1", "web-sa");

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition()) await Task.Delay(1, timeout.Token);
    }

    [Test]
    public async Task IdenticalQuestionsWhileAReviewIsInFlight_ShareTheNextReview()
    {
        var inner = new GatedReviewer();
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000, TimeSpan.Zero, new FakeTimeProvider());
        var first = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();
        var queued = Enumerable.Range(0, 20).Select(_ => reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask()).ToArray();
        Assert.That(inner.Calls, Is.EqualTo(1), "one review in flight per question");

        inner.Finish(allowed: true);
        Assert.That((await first).Allowed, Is.True);
        await WaitUntil(() => inner.Pending == 1);
        Assert.That(queued.Any(t => t.IsCompleted), Is.False, "callers that arrived during a review do not take its answer");

        inner.Finish(allowed: true);
        var answers = await Task.WhenAll(queued);
        Assert.That((answers.All(a => a.Allowed), inner.Calls), Is.EqualTo((true, 2)), "20 queued callers shared one review");
    }

    [Test]
    public async Task ARevocationDuringAnInFlightReview_IsSeenByCallersThatArrivedAfterItStarted()
    {
        var inner = new GatedReviewer();
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000, TimeSpan.Zero, new FakeTimeProvider());
        var early = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();
        var late = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();

        inner.Finish(allowed: true);   // the review that was in flight when the grant was revoked
        await WaitUntil(() => inner.Pending == 1);
        inner.Finish(allowed: false);  // the review sent after the late caller arrived

        Assert.That(((await early).Allowed, (await late).Allowed, (await late).Reason), Is.EqualTo((true, false, "revoked")));
    }

    [Test]
    public async Task DifferentQuestions_AreNotShared_AndTheQuestionIsForgottenWhenIdle()
    {
        var inner = new GatedReviewer();
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000, TimeSpan.Zero, new FakeTimeProvider());
        var a = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();
        var b = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp2", default).AsTask();
        var c = reviewer.CanUseCredentialSpecAsync(AccessSubject.ForServiceAccount("ns1", "other"), "ns1", "webapp1", default).AsTask();
        Assert.That(inner.Calls, Is.EqualTo(3));
        inner.Finish(true); inner.Finish(false); inner.Finish(true);
        Assert.That(((await a).Allowed, (await b).Allowed, (await c).Allowed), Is.EqualTo((true, false, true)));

        var again = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();
        Assert.That(inner.Calls, Is.EqualTo(4), "once idle, a new question starts its own review at once");
        inner.Finish(false);
        Assert.That((await again).Allowed, Is.False);
    }

    [Test]
    public async Task ACallerGivingUp_DoesNotCancelTheSharedReview()
    {
        var inner = new GatedReviewer();
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000, TimeSpan.Zero, new FakeTimeProvider());
        _ = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();
        using var impatient = new CancellationTokenSource();
        var gaveUp = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", impatient.Token).AsTask();
        var patient = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();
        await impatient.CancelAsync();
        Assert.That(async () => await gaveUp, Throws.InstanceOf<OperationCanceledException>());

        inner.Finish(true);
        await WaitUntil(() => inner.Pending == 1);
        inner.Finish(true);
        Assert.That((await patient).Allowed, Is.True);
    }

    [Test]
    public async Task AFailingReview_DeniesEveryoneWaitingOnIt()
    {
        var inner = new GatedReviewer { Throw = new HttpRequestException("connection refused") };
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000, TimeSpan.Zero, new FakeTimeProvider());
        var decision = await reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        Assert.That(decision, Is.EqualTo(new AccessDecision(false, "error when checking authz access: connection refused")));

        inner.Throw = null;
        var next = reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default).AsTask();
        inner.Finish(true);
        Assert.That((await next).Allowed, Is.True, "a failure is not remembered");
    }

    [Test]
    public async Task BeyondTheInFlightBound_ACallerReviewsAlone_AndTheMapDoesNotGrow()
    {
        var inner = new GatedReviewer();
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), maxInFlight: 2, TimeSpan.Zero, new FakeTimeProvider());
        var shared = Enumerable.Range(0, 2).Select(i => reviewer.CanUseCredentialSpecAsync(Sa, "ns1", $"spec-{i}", default).AsTask()).ToArray();
        var alone = Enumerable.Range(2, 5).Select(i => reviewer.CanUseCredentialSpecAsync(Sa, "ns1", $"spec-{i}", default).AsTask()).ToArray();
        Assert.That((inner.Calls, reviewer.InFlight), Is.EqualTo((7, 2)), "every question is still reviewed; only two are tracked for sharing");

        for (var i = 0; i < 7; i++) inner.Finish(allowed: true);
        var answers = await Task.WhenAll(shared.Concat(alone));
        Assert.That(answers.All(a => a.Allowed), Is.True);
        await WaitUntil(() => reviewer.InFlight == 0);
    }
}
