using GmsaOperator.Webhooks.Authorization;

namespace GmsaOperator.Tests.Webhooks;

public sealed class CoalescingAccessReviewerTests
{
    /// <summary>A reviewer whose reviews finish only when the test says so; records every review it was asked for.</summary>
    private sealed class GatedReviewer : IAccessReviewer
    {
        private readonly Lock _gate = new();
        private readonly List<(string Key, TaskCompletionSource<AccessDecision> Answer)> _pending = [];
        public int Calls { get; private set; }
        public Exception? Throw { get; set; }

        public ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
        {
            if (Throw is not null) throw Throw;
            var answer = new TaskCompletionSource<AccessDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                Calls++;
                _pending.Add(($"{subject.User}/{@namespace}/{credentialSpecName}", answer));
            }
            return new ValueTask<AccessDecision>(answer.Task);
        }

        public int Pending { get { lock (_gate) return _pending.Count; } }

        /// <summary>Finishes the oldest outstanding review with the given decision.</summary>
        public void Finish(bool allowed)
        {
            TaskCompletionSource<AccessDecision> answer;
            lock (_gate)
            {
                answer = _pending[0].Answer;
                _pending.RemoveAt(0);
            }
            answer.SetResult(new AccessDecision(allowed, allowed ? "" : "revoked"));
        }
    }

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
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000);
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
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000);
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
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000);
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
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000);
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
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000);
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
        var reviewer = new CoalescingAccessReviewer(inner, TimeSpan.FromSeconds(10), maxInFlight: 2);
        var shared = Enumerable.Range(0, 2).Select(i => reviewer.CanUseCredentialSpecAsync(Sa, "ns1", $"spec-{i}", default).AsTask()).ToArray();
        var alone = Enumerable.Range(2, 5).Select(i => reviewer.CanUseCredentialSpecAsync(Sa, "ns1", $"spec-{i}", default).AsTask()).ToArray();
        Assert.That((inner.Calls, reviewer.InFlight), Is.EqualTo((7, 2)), "every question is still reviewed; only two are tracked for sharing");

        for (var i = 0; i < 7; i++) inner.Finish(allowed: true);
        var answers = await Task.WhenAll(shared.Concat(alone));
        Assert.That(answers.All(a => a.Allowed), Is.True);
        await WaitUntil(() => reviewer.InFlight == 0);
    }
}
