using GmsaOperator.Webhooks.Authorization;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>
/// With the decision cache on, an ALLOWED answer in flight is shared with callers that joined it; nothing else is, and the
/// cache in front never serves a shared answer longer than the TTL after its review was sent.
/// </summary>
public sealed class CoalescingAccessReviewerSharingTests
{
    private static readonly AccessSubject Sa = AccessSubject.ForServiceAccount("ns1", "web-sa");
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CoalescingAccessReviewer Sharing(GatedReviewer inner, FakeTimeProvider time, TimeSpan? reviewTimeout = null, TimeSpan? ttl = null) =>
        new(inner, reviewTimeout ?? TimeSpan.FromMinutes(1), 10_000, ttl ?? Ttl, time);

    private static Task<AccessDecision> Ask(IAccessReviewer reviewer, CancellationToken cancellationToken = default) =>
        reviewer.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", cancellationToken).AsTask();

    [Test]
    public async Task AnAllowedAnswerInFlight_IsSharedWithJoiners_WithoutASecondReview()
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var reviewer = Sharing(inner, time);
        var sentAt = time.GetUtcNow();
        var first = Ask(reviewer);
        time.Advance(TimeSpan.FromSeconds(1));
        var joiners = Enumerable.Range(0, 20).Select(_ => Ask(reviewer)).ToArray();
        time.Advance(TimeSpan.FromSeconds(1));

        inner.Finish(allowed: true);
        var answers = await Task.WhenAll(joiners).WaitAsync(Bound);
        Assert.That((answers.All(a => a.Allowed), inner.Calls), Is.EqualTo((true, 1)), "20 joiners took the allowed answer in flight");
        Assert.That((answers[0].ReviewSentAt, (await first).ReviewSentAt), Is.EqualTo(((DateTimeOffset?)sentAt, (DateTimeOffset?)null)),
            "a shared answer says when it was asked, so a cache counts its TTL from then");
        await Eventually.TrueAsync(() => reviewer.InFlight == 0, "the question is forgotten when idle");
    }

    /// <summary>Asks twice, a second apart; the review sent for the first is denied. Returns the second caller, still waiting for the next review.</summary>
    private static async Task<Task<AccessDecision>> JoinADeniedReviewAsync(IAccessReviewer reviewer, GatedReviewer inner, FakeTimeProvider time)
    {
        var first = Ask(reviewer);
        time.Advance(TimeSpan.FromSeconds(1));
        var joiner = Ask(reviewer);
        inner.Finish(allowed: false);
        Assert.That((await first).Allowed, Is.False);
        await Eventually.TrueAsync(() => inner.Pending == 1, "a second review for the joiner");
        Assert.That(joiner.IsCompleted, Is.False, "a denial is never shared");
        return joiner;
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task AJoinerOfADeniedReview_GetsTheAnswerOfTheNextReview(bool secondAllows)
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var reviewer = Sharing(inner, time);
        var joiner = await JoinADeniedReviewAsync(reviewer, inner, time);
        time.Advance(TimeSpan.FromSeconds(1));
        var joinerOfSecond = Ask(reviewer);

        inner.Finish(secondAllows);
        Assert.That((await joiner.WaitAsync(Bound)).Allowed, Is.EqualTo(secondAllows), "the joiner gets the second review's answer");
        if (!secondAllows)
        {
            await Eventually.TrueAsync(() => inner.Pending == 1, "a third review for the second review's joiner");
            Assert.That(joinerOfSecond.IsCompleted, Is.False);
            inner.Finish(allowed: true);
        }
        Assert.That(((await joinerOfSecond.WaitAsync(Bound)).Allowed, inner.Calls), Is.EqualTo((true, secondAllows ? 2 : 3)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task AFailedOrTimedOutReview_SendsJoinersToTheNextReview(bool timedOut)
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var reviewer = Sharing(inner, time, reviewTimeout: TimeSpan.FromSeconds(5), ttl: TimeSpan.FromSeconds(30));
        var first = Ask(reviewer);
        time.Advance(TimeSpan.FromSeconds(1));
        var joiner = Ask(reviewer);

        if (timedOut) time.Advance(TimeSpan.FromSeconds(4));
        else inner.Fail(new HttpRequestException("connection refused"));
        var failed = await first.WaitAsync(Bound);
        Assert.That((failed.Allowed, failed.Reason.StartsWith("error when checking authz access:", StringComparison.Ordinal)), Is.EqualTo((false, true)));
        await Eventually.TrueAsync(() => inner.Pending == 1, "a second review for the joiner");
        Assert.That(joiner.IsCompleted, Is.False, "an error is never shared");

        inner.Finish(allowed: true);
        Assert.That(((await joiner.WaitAsync(Bound)).Allowed, inner.Calls), Is.EqualTo((true, 2)));
    }

    [TestCase(9_999, true)]
    [TestCase(10_000, false)]
    public async Task AnAllowedAnswer_IsSharedOnlyIfItCameBackWithinTheTtlOfBeingSent(int backAfterMilliseconds, bool shared)
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var reviewer = Sharing(inner, time);
        var first = Ask(reviewer);
        time.Advance(TimeSpan.FromSeconds(1));
        var joiner = Ask(reviewer);
        time.Advance(TimeSpan.FromMilliseconds(backAfterMilliseconds - 1_000));

        inner.Finish(allowed: true);
        Assert.That((await first).Allowed, Is.True, "the caller the review was sent for takes it whatever its age");
        if (!shared)
        {
            await Eventually.TrueAsync(() => inner.Pending == 1, "a second review for the joiner");
            Assert.That(joiner.IsCompleted, Is.False, "an answer older than the TTL is not shared");
            inner.Finish(allowed: false);
        }
        var answer = await joiner.WaitAsync(Bound);
        Assert.That((answer.Allowed, inner.Calls), Is.EqualTo((shared, shared ? 1 : 2)));
    }

    [Test]
    public async Task CallersQueuedWhenTheReviewWasTooOld_AndDeniedJoiners_ShareOneNextReview()
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var reviewer = Sharing(inner, time);
        var first = Ask(reviewer);
        time.Advance(TimeSpan.FromSeconds(1));
        var joiner = Ask(reviewer);
        time.Advance(TimeSpan.FromSeconds(10));
        var queued = Ask(reviewer); // the review in flight was sent 11 s ago: its answer could not be shared anyway

        inner.Finish(allowed: false);
        Assert.That((await first).Allowed, Is.False);
        await Eventually.TrueAsync(() => inner.Pending == 1, "the next review");
        inner.Finish(allowed: true);
        var answers = await Task.WhenAll(joiner, queued).WaitAsync(Bound);
        Assert.That((answers.All(a => a.Allowed), inner.Calls), Is.EqualTo((true, 2)), "one next review serves both");
        await Eventually.TrueAsync(() => reviewer.InFlight == 0, "the question is forgotten when idle");
    }

    [Test]
    public async Task AJoinerGivingUp_DoesNotCancelTheSharedReview()
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var reviewer = Sharing(inner, time);
        var first = Ask(reviewer);
        using var impatient = new CancellationTokenSource();
        var gaveUp = Ask(reviewer, impatient.Token);
        var patient = Ask(reviewer);
        await impatient.CancelAsync();
        Assert.That(async () => await gaveUp, Throws.InstanceOf<OperationCanceledException>());

        inner.Finish(allowed: true);
        Assert.That(((await first).Allowed, (await patient.WaitAsync(Bound)).Allowed, inner.Calls), Is.EqualTo((true, true, 1)));
    }

    // The decision cache in front of the coalescer sharing within the same TTL, on one clock, as the webhooks wire them.
    private static CachingAccessReviewer Composed(GatedReviewer inner, FakeTimeProvider time) =>
        new(new CoalescingAccessReviewer(inner, TimeSpan.FromMinutes(1), 10_000, shareAllowedWithin: Ttl, time), Ttl, 10_000, time);

    [Test]
    public async Task Composed_AnAllowedAnswerSharedInFlight_IsCachedOnlyUntilTheTtlAfterItsReviewWasSent()
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var cache = Composed(inner, time);
        // The caller the review was sent for gives up, so only the joiner's answer can reach the cache.
        using var gaveUp = new CancellationTokenSource();
        var first = Ask(cache, gaveUp.Token);
        time.Advance(TimeSpan.FromSeconds(4));
        var joiner = Ask(cache); // asked at 4 s, shares the review sent at 0 s
        await gaveUp.CancelAsync();
        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());
        time.Advance(TimeSpan.FromSeconds(2));
        inner.Finish(allowed: true);
        Assert.That(((await joiner.WaitAsync(Bound)).Allowed, inner.Calls), Is.EqualTo((true, 1)));

        time.Advance(TimeSpan.FromMilliseconds(3_999));
        Assert.That(((await Ask(cache)).Allowed, inner.Calls), Is.EqualTo((true, 1)), "9.999 s after the review was sent: cached");

        time.Advance(TimeSpan.FromMilliseconds(1));
        var expired = Ask(cache);
        Assert.That(inner.Calls, Is.EqualTo(2), "10 s after the review was sent the answer is not served again, though the joiner asked it only 6 s ago");
        inner.Finish(allowed: false);
        Assert.That((await expired).Allowed, Is.False);
    }

    [Test]
    public async Task Composed_DenialsAreNeitherSharedNorCached()
    {
        var (inner, time) = (new GatedReviewer(), new FakeTimeProvider());
        var cache = Composed(inner, time);
        var joiner = await JoinADeniedReviewAsync(cache, inner, time);
        inner.Finish(allowed: false);
        Assert.That(((await joiner.WaitAsync(Bound)).Allowed, inner.Calls), Is.EqualTo((false, 2)));

        var granted = Ask(cache);
        Assert.That(inner.Calls, Is.EqualTo(3), "no denial was cached");
        inner.Finish(allowed: true);
        Assert.That((await granted).Allowed, Is.True, "a new grant takes effect at once");
        Assert.That(((await Ask(cache)).Allowed, inner.Calls), Is.EqualTo((true, 3)), "and the allowed answer is cached");
    }
}
