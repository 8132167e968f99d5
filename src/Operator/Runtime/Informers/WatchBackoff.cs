namespace GmsaOperator.Runtime.Informers;

/// <summary>Capped exponential backoff with jitter that starts over after a healthy period (client-go's backoff manager).</summary>
public sealed class WatchBackoff(TimeSpan initial, TimeSpan max, TimeSpan resetAfter, TimeProvider time, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;
    private TimeSpan _current = TimeSpan.Zero;
    private DateTimeOffset _lastBackoff = DateTimeOffset.MinValue;

    /// <summary>The delay before the next attempt; grows by 2x per failure up to the cap, plus up to 100% jitter (still capped).</summary>
    public TimeSpan Next()
    {
        var now = time.GetUtcNow();
        if (_current == TimeSpan.Zero || now - _lastBackoff > resetAfter)
        {
            _current = initial;
        }
        else
        {
            _current = TimeSpan.FromTicks(Math.Min(max.Ticks, _current.Ticks * 2));
        }
        _lastBackoff = now;
        var jittered = _current + TimeSpan.FromTicks((long)(_current.Ticks * _random()));
        return jittered > max ? max : jittered;
    }

    /// <summary>The un-jittered step of the last <see cref="Next"/>.</summary>
    public TimeSpan Current => _current;
}
