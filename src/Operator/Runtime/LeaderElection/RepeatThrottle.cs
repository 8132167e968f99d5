namespace GmsaOperator.Runtime.LeaderElection;

/// <summary>
/// Lets one occurrence per key through per <c>window</c> and counts the ones it holds back, so a failure that repeats
/// every retry period (2 s) is reported every 30 s with how often it happened, and a new kind of failure at once.
/// </summary>
public sealed class RepeatThrottle(TimeProvider time, TimeSpan window)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>True when this occurrence of <paramref name="key"/> should be reported; <paramref name="suppressed"/> is how many were held back since the last report.</summary>
    public bool ShouldReport(string key, out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && now - entry.LastReported < window)
            {
                _entries[key] = entry with { Suppressed = entry.Suppressed + 1 };
                suppressed = 0;
                return false;
            }
            suppressed = entry?.Suppressed ?? 0;
            _entries[key] = new Entry(now, 0);
            return true;
        }
    }

    private sealed record Entry(DateTimeOffset LastReported, int Suppressed);
}
