namespace GmsaOperator.Webhooks.Authorization;

/// <summary>
/// Shares one SubjectAccessReview between identical questions asked at the same time (a Deployment scaling out sends
/// many pods with the same service account and credspec at once). At most one review per question is in flight.
/// <para>
/// A request that arrives while a review of its question is in flight waits for the <em>next</em> review, which starts
/// when the in-flight one ends and answers everybody who queued meanwhile — so its decision comes from a review sent
/// after it arrived, exactly as if it had sent its own, and a revocation is never missed. That is all it does when
/// <paramref name="shareAllowedWithin"/> is zero (the decision cache off).
/// </para>
/// <para>
/// With <paramref name="shareAllowedWithin"/> set to the decision cache's TTL, such a request also joins the review in
/// flight and takes its answer if that answer is ALLOWED and came back less than the TTL after the review was sent: the
/// cache would serve that answer to the same request a moment later anyway, and it is never older than the TTL when
/// used (<see cref="AccessDecision.ReviewSentAt"/> tells the cache how old it already is). A denial, an error, a timeout
/// or an allowed answer that came back too late is never shared: those joiners wait for the next review together with
/// the ones already queued for it, so a denial always comes from a review sent after the request arrived. A request
/// arriving when the review in flight was sent a TTL or more ago queues for the next one directly.
/// </para>
/// <para>
/// At most <paramref name="maxInFlight"/> questions are tracked: a shared review outlives callers that gave up (up to
/// its timeout), so a flood of distinct questions would otherwise pile up entries. Beyond the bound a caller sends its
/// own review, bounded by its own request; that costs an API call, never memory that outlives the request.
/// </para>
/// </summary>
public sealed class CoalescingAccessReviewer(IAccessReviewer inner, TimeSpan reviewTimeout, int maxInFlight, TimeSpan shareAllowedWithin, TimeProvider time) : IAccessReviewer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<QuestionKey, Round> _inFlight = new();

    /// <summary>Questions with a shared review in flight now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate) return _inFlight.Count;
        }
    }

    /// <summary>The in-flight review of one question, the callers that joined it and those queued for the one after it.</summary>
    private sealed class Round
    {
        /// <summary>Read before the review is sent, so an answer's age is never underestimated.</summary>
        public DateTimeOffset SentAt;
        public TaskCompletionSource<AccessDecision>? Joined;
        public TaskCompletionSource<AccessDecision>? Next;
    }

    public async ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
    {
        var key = QuestionKey.For(subject, @namespace, credentialSpecName);
        TaskCompletionSource<AccessDecision>? answer = null;
        Round? startNew = null;
        lock (_gate)
        {
            if (_inFlight.TryGetValue(key, out var round))
            {
                answer = IsFresh(round.SentAt) ? round.Joined ??= NewAnswer() : round.Next ??= NewAnswer();
            }
            else if (_inFlight.Count < maxInFlight)
            {
                startNew = new Round { SentAt = time.GetUtcNow() };
                _inFlight[key] = startNew;
                answer = NewAnswer();
            }
        }
        if (answer is null) return await ReviewAloneAsync(subject, @namespace, credentialSpecName, cancellationToken).ConfigureAwait(false);
        if (startNew is not null) Start(key, startNew, answer, subject, @namespace, credentialSpecName);
        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Younger than the sharing window now. A clock that went backwards makes the age unknown, so nothing is shared.
    private bool IsFresh(DateTimeOffset sentAt)
    {
        var age = time.GetUtcNow() - sentAt;
        return age >= TimeSpan.Zero && age < shareAllowedWithin;
    }

    private async Task<AccessDecision> ReviewAloneAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(reviewTimeout);
        try
        {
            return await inner.CanUseCredentialSpecAsync(subject, @namespace, credentialSpecName, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new AccessDecision(false, $"error when checking authz access: {e.Message}");
        }
    }

    private static TaskCompletionSource<AccessDecision> NewAnswer() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The review is shared, so no single caller's token may cancel it; it is bounded by its own timeout instead.
    private void Start(QuestionKey key, Round round, TaskCompletionSource<AccessDecision> answer, AccessSubject subject, string @namespace, string credentialSpecName) =>
        _ = RunAsync(key, round, answer, subject, @namespace, credentialSpecName);

    /// <summary>
    /// Runs reviews until nobody waits for another. Each review answers the callers queued for it (<paramref name="queued"/>)
    /// and the joiners a previous review could not answer (<c>moved</c>); both arrived before it was sent.
    /// </summary>
    private async Task RunAsync(QuestionKey key, Round round, TaskCompletionSource<AccessDecision>? queued, AccessSubject subject, string @namespace, string credentialSpecName)
    {
        TaskCompletionSource<AccessDecision>? moved = null;
        while (true)
        {
            AccessDecision decision;
            try
            {
                using var timeout = new CancellationTokenSource(reviewTimeout, time);
                decision = await inner.CanUseCredentialSpecAsync(subject, @namespace, credentialSpecName, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Default deny: whatever went wrong, nobody waiting on this review is allowed by it.
                decision = new AccessDecision(false, $"error when checking authz access: {e.Message}");
            }

            TaskCompletionSource<AccessDecision>? joined, next, unanswered;
            DateTimeOffset sentAt;
            lock (_gate)
            {
                sentAt = round.SentAt;
                joined = round.Joined;
                next = round.Next;
                (round.Joined, round.Next) = (null, null);
                // Only an allowed answer that came back within the window is shared; the rest need a review sent after they arrived.
                unanswered = joined is not null && !(decision.Allowed && IsFresh(sentAt)) ? joined : null;
                if (next is null && unanswered is null) _inFlight.Remove(key);
                else round.SentAt = time.GetUtcNow();
            }
            queued?.SetResult(decision);
            moved?.SetResult(decision);
            if (joined is not null && unanswered is null) joined.SetResult(decision with { ReviewSentAt = sentAt });
            if (next is null && unanswered is null) return;
            (queued, moved) = (next, unanswered);
        }
    }
}
