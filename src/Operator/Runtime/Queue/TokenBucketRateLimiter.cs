namespace GmsaOperator.Runtime.Queue;

/// <summary>Global token bucket (qps, burst): each retry reserves a token and waits until it is available.</summary>
public sealed class TokenBucketRateLimiter(double qps, int burst, TimeProvider time) : IRateLimiter
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private DateTimeOffset _last = time.GetUtcNow();

    public TimeSpan When(ObjectKey key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _tokens = Math.Min(burst, _tokens + (now - _last).TotalSeconds * qps);
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / qps);
        }
    }

    /// <summary>Takes a token only when one is available now (for dropping, not delaying).</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _tokens = Math.Min(burst, _tokens + (now - _last).TotalSeconds * qps);
            _last = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }

    public void Forget(ObjectKey key) { }

    public int Retries(ObjectKey key) => 0;
}
