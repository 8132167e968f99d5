using GmsaOperator.Runtime.Queue;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>Level-triggered reconcile of one object: read current state (from the cache), converge, report what comes next.</summary>
public interface IReconciler
{
    /// <summary>Throwing means a rate-limited retry; <see cref="ReconcileResult.Done"/> forgets the key's failures.</summary>
    Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}
