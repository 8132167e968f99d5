namespace GmsaOperator.Webhooks.Authorization;

/// <summary>
/// Shares one SubjectAccessReview between identical questions asked at the same time (a Deployment scaling out sends
/// many pods with the same service account and credspec at once). Not a cache: a request that arrives while a review
/// is in flight waits for the <em>next</em> review, which starts when the in-flight one ends and answers everybody who
/// queued meanwhile — so every decision comes from a review sent after the request arrived, exactly as if it had
/// sent its own, and a revocation is never missed. At most one review per question is in flight.
/// </summary>
public sealed class CoalescingAccessReviewer(IAccessReviewer inner, TimeSpan reviewTimeout) : IAccessReviewer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Round> _inFlight = new(StringComparer.Ordinal);

    /// <summary>The in-flight review of one question and the callers queued for the one after it.</summary>
    private sealed class Round
    {
        public TaskCompletionSource<AccessDecision>? Next;
    }

    public async ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
    {
        var key = subject.QuestionKey(@namespace, credentialSpecName);
        TaskCompletionSource<AccessDecision> answer;
        Round? startNew = null;
        lock (_gate)
        {
            if (_inFlight.TryGetValue(key, out var round))
            {
                answer = round.Next ??= NewAnswer();
            }
            else
            {
                startNew = new Round();
                _inFlight[key] = startNew;
                answer = NewAnswer();
            }
        }
        if (startNew is not null) Start(key, startNew, answer, subject, @namespace, credentialSpecName);
        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static TaskCompletionSource<AccessDecision> NewAnswer() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The review is shared, so no single caller's token may cancel it; it is bounded by its own timeout instead.
    private void Start(string key, Round round, TaskCompletionSource<AccessDecision> answer, AccessSubject subject, string @namespace, string credentialSpecName) =>
        _ = RunAsync(key, round, answer, subject, @namespace, credentialSpecName);

    private async Task RunAsync(string key, Round round, TaskCompletionSource<AccessDecision> answer, AccessSubject subject, string @namespace, string credentialSpecName)
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
