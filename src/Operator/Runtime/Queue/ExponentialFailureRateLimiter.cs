using System.Collections.Concurrent;

namespace GmsaOperator.Runtime.Queue;

/// <summary>Per-key exponential delay: base · 2^failures, capped.</summary>
public sealed class ExponentialFailureRateLimiter(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter
{
    private readonly ConcurrentDictionary<ObjectKey, int> _failures = new();

    public TimeSpan When(ObjectKey key)
    {
        var failures = _failures.AddOrUpdate(key, 1, (_, n) => n + 1) - 1;
        var ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(failures, 62));
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    public void Forget(ObjectKey key) => _failures.TryRemove(key, out _);

    public int Retries(ObjectKey key) => _failures.GetValueOrDefault(key);
}
