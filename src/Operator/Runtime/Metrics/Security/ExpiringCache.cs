using System.Collections.Concurrent;

namespace GmsaOperator.Runtime.Metrics.Security;

/// <summary>
/// Remembers values for a fixed time, holding at most <c>capacity</c> of them: when full, expired entries are dropped
/// and, if it is still full, nothing new is remembered until entries expire (callers then ask their source again).
/// A zero time to live or capacity disables it.
/// </summary>
internal sealed class ExpiringCache<TValue>(TimeSpan timeToLive, int capacity, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (TValue Value, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _pruneGate = new();

    public int Count => _entries.Count;

    public bool TryGet(string key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (entry.Until > time.GetUtcNow())
            {
                value = entry.Value;
                return true;
            }
            _entries.TryRemove(new KeyValuePair<string, (TValue, DateTimeOffset)>(key, entry));
        }
        value = default!;
        return false;
    }

    public void Set(string key, TValue value)
    {
        if (timeToLive <= TimeSpan.Zero || capacity <= 0) return;
        var now = time.GetUtcNow();
        if (_entries.Count >= capacity && !_entries.ContainsKey(key))
        {
            lock (_pruneGate)
            {
                foreach (var entry in _entries)
                {
                    if (entry.Value.Until <= now) _entries.TryRemove(entry);
                }
                if (_entries.Count >= capacity) return;
            }
        }
        _entries[key] = (value, now + timeToLive);
    }
}
