using k8s;
using k8s.Models;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// Counts repairs of tampered caBundles per webhook configuration. More than <see cref="Threshold"/> within
/// <see cref="Window"/> means another writer keeps overwriting the field: repairs of that object then back off
/// (30 s, doubling to 5 min) instead of fighting at watch speed. Pure: the caller passes the time.
/// </summary>
public sealed class CaBundleCorrections
{
    public const int Threshold = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, Queue<DateTimeOffset>> _corrections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset Until, TimeSpan Backoff)> _backoff = new(StringComparer.Ordinal);

    /// <summary>Records one repair of <paramref name="key"/>. Returns the backoff that now applies when this repair crossed the threshold.</summary>
    public TimeSpan? Record(string key, DateTimeOffset now, out int correctionsInWindow)
    {
        if (!_corrections.TryGetValue(key, out var times)) _corrections[key] = times = new Queue<DateTimeOffset>();
        times.Enqueue(now);
        while (times.Count > 0 && now - times.Peek() > Window) times.Dequeue();
        correctionsInWindow = times.Count;
        if (times.Count <= Threshold)
        {
            _backoff.Remove(key);
            return null;
        }
        var backoff = _backoff.TryGetValue(key, out var previous) ? Min(previous.Backoff * 2, MaxBackoff) : MinBackoff;
        _backoff[key] = (now + backoff, backoff);
        return backoff;
    }

    /// <summary>When repairs of <paramref name="key"/> may resume; null when they may happen now.</summary>
    public DateTimeOffset? BackoffUntil(string key, DateTimeOffset now) =>
        _backoff.TryGetValue(key, out var b) && b.Until > now ? b.Until : null;

    /// <summary>
    /// The field manager, other than ours, that owns a <c>caBundle</c> in <paramref name="managedFields"/> (the most
    /// recent one if several): whoever overwrote the field last owns it until our forced apply takes it back.
    /// </summary>
    public static string? CompetingFieldManager(IEnumerable<V1ManagedFieldsEntry>? managedFields, string ourFieldManager) =>
        (managedFields ?? [])
            .Where(f => f.Manager is { Length: > 0 } m && m != ourFieldManager && f.FieldsV1 is not null
                        && KubernetesJson.Serialize(f.FieldsV1).Contains("\"f:caBundle\"", StringComparison.Ordinal))
            .OrderByDescending(f => f.Time ?? DateTime.MinValue)
            .Select(f => f.Manager)
            .FirstOrDefault();

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
