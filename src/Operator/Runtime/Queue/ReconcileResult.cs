namespace GmsaOperator.Runtime.Queue;

/// <summary>What a reconcile asks of the queue next: nothing, a rate-limited retry, or a run after a fixed delay.</summary>
public sealed record ReconcileResult
{
    public static ReconcileResult Done { get; } = new();

    /// <summary>Retry with the rate limiter's backoff (like returning an error, without logging one).</summary>
    public static ReconcileResult Requeue { get; } = new() { RequeueWithBackoff = true };

    public static ReconcileResult After(TimeSpan delay) =>
        delay <= TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(delay), "RequeueAfter must be positive.") : new() { RequeueAfter = delay };

    public bool RequeueWithBackoff { get; private init; }

    public TimeSpan? RequeueAfter { get; private init; }
}
