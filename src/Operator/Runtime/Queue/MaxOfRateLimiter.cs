namespace GmsaOperator.Runtime.Queue;

/// <summary>The longest delay of several limiters; controller-runtime's default is per-key exponential max'd with a token bucket.</summary>
public sealed class MaxOfRateLimiter(params IRateLimiter[] limiters) : IRateLimiter
{
    /// <summary>Per key 5 ms → 5 min, and 10 retries/s with a burst of 100 overall.</summary>
    public static MaxOfRateLimiter Default(TimeProvider time) => new(
        new ExponentialFailureRateLimiter(TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(5)),
        new TokenBucketRateLimiter(10, 100, time));

    public TimeSpan When(ObjectKey key) => limiters.Select(l => l.When(key)).Max();

    public void Forget(ObjectKey key)
    {
        foreach (var limiter in limiters) limiter.Forget(key);
    }

    public int Retries(ObjectKey key) => limiters.Max(l => l.Retries(key));
}
