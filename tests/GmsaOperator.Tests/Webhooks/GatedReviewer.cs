using GmsaOperator.Webhooks.Authorization;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>
/// A reviewer whose reviews finish only when the test says so (or when the review's token is cancelled, e.g. by its
/// timeout); records every review it was asked for.
/// </summary>
internal sealed class GatedReviewer : IAccessReviewer
{
    private readonly Lock _gate = new();
    private readonly List<TaskCompletionSource<AccessDecision>> _pending = [];
    public int Calls { get; private set; }
    public Exception? Throw { get; set; }

    public ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
    {
        if (Throw is not null) throw Throw;
        var answer = new TaskCompletionSource<AccessDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            Calls++;
            _pending.Add(answer);
        }
        cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
        return new ValueTask<AccessDecision>(answer.Task);
    }

    /// <summary>Reviews neither finished by the test nor cancelled.</summary>
    public int Pending { get { lock (_gate) return _pending.Count(a => !a.Task.IsCompleted); } }

    /// <summary>Finishes the oldest outstanding review with the given decision.</summary>
    public void Finish(bool allowed) => Oldest().SetResult(new AccessDecision(allowed, allowed ? "" : "revoked"));

    /// <summary>Fails the oldest outstanding review.</summary>
    public void Fail(Exception error) => Oldest().SetException(error);

    private TaskCompletionSource<AccessDecision> Oldest()
    {
        lock (_gate)
        {
            _pending.RemoveAll(a => a.Task.IsCompleted);
            var oldest = _pending[0];
            _pending.RemoveAt(0);
            return oldest;
        }
    }
}
