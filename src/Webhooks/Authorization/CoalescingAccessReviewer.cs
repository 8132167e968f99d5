namespace GmsaOperator.Webhooks.Authorization;

/// <summary>
/// Shares one SubjectAccessReview between identical questions asked at the same time (a Deployment scaling out sends
/// many pods with the same service account and credspec at once). Not a cache: a request that arrives while a review
/// is in flight waits for the <em>next</em> review, which starts when the in-flight one ends and answers everybody who
/// queued meanwhile — so every decision comes from a review sent after the request arrived, exactly as if it had
/// sent its own, and a revocation is never missed. At most one review per question is in flight.
/// At most <paramref name="maxInFlight"/> questions are tracked: a shared review outlives callers that gave up (up to
/// its timeout), so a flood of distinct questions would otherwise pile up entries. Beyond the bound a caller sends its
/// own review, bounded by its own request; that costs an API call, never memory that outlives the request.
/// </summary>
public sealed class CoalescingAccessReviewer(IAccessReviewer inner, TimeSpan reviewTimeout, int maxInFlight) : IAccessReviewer
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

    /// <summary>The in-flight review of one question and the callers queued for the one after it.</summary>
    private sealed class Round
    {
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
                answer = round.Next ??= NewAnswer();
            }
            else if (_inFlight.Count < maxInFlight)
            {
                startNew = new Round();
                _inFlight[key] = startNew;
                answer = NewAnswer();
            }
        }
        if (answer is null) return await ReviewAloneAsync(subject, @namespace, credentialSpecName, cancellationToken).ConfigureAwait(false);
        if (startNew is not null) Start(key, startNew, answer, subject, @namespace, credentialSpecName);
        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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

    private async Task RunAsync(QuestionKey key, Round round, TaskCompletionSource<AccessDecision> answer, AccessSubject subject, string @namespace, string credentialSpecName)
    {
        while (true)
        {
            AccessDecision decision;
            try
            {
                using var timeout = new CancellationTokenSource(reviewTimeout);
                decision = await inner.CanUseCredentialSpecAsync(subject, @namespace, credentialSpecName, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Default deny: whatever went wrong, nobody waiting on this review is allowed by it.
                decision = new AccessDecision(false, $"error when checking authz access: {e.Message}");
            }

            TaskCompletionSource<AccessDecision>? next;
            lock (_gate)
            {
                next = round.Next;
                round.Next = null;
                if (next is null) _inFlight.Remove(key);
            }
            answer.SetResult(decision);
            if (next is null) return;
            answer = next;
        }
    }
}
