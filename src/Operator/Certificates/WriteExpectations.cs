namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// The writes this process made that the informer caches may not show yet. Deciding from a cache that lacks our own
/// last write would redo it (a second injection looks like tamper repair, a second create loses to AlreadyExists), so
/// the reconciler waits until each written object's cached resourceVersion has moved off the one it replaced — to our
/// write or anything later — or <see cref="Limit"/> has passed (an object deleted right after we created it looks
/// unchanged). Resource versions are only compared for equality, never ordered. Pure: the caller passes the time.
/// </summary>
public sealed class WriteExpectations
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, (string? Replaced, DateTimeOffset At)> _pending = new(StringComparer.Ordinal);

    /// <summary>Object <paramref name="key"/> was written over <paramref name="replaced"/> (null: created) and now is at <paramref name="written"/>.</summary>
    public void Expect(string key, string? replaced, string? written, DateTimeOffset at)
    {
        if (replaced == written) return; // a server-side apply that changed nothing
        _pending[key] = (replaced, at);
    }

    /// <summary>
    /// Null when <paramref name="cached"/> (object key → resourceVersion, absent or null when not cached) reflects every
    /// expected write; otherwise when to give up waiting.
    /// </summary>
    public DateTimeOffset? WaitUntil(IReadOnlyDictionary<string, string?> cached, DateTimeOffset now)
    {
        DateTimeOffset? until = null;
        foreach (var (key, (replaced, at)) in _pending.ToList())
        {
            var seen = cached.TryGetValue(key, out var rv) ? rv : null;
            if (seen != replaced || now >= at + Limit)
            {
                _pending.Remove(key);
                continue;
            }
            if (until is null || at + Limit < until) until = at + Limit;
        }
        return until;
    }
}
