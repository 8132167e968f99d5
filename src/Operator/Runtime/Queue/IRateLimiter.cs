namespace GmsaOperator.Runtime.Queue;

/// <summary>Decides how long a key waits before its next retry (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter
{
    TimeSpan When(ObjectKey key);

    void Forget(ObjectKey key);

    int Retries(ObjectKey key);
}
