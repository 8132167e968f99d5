using System.Collections.Concurrent;
using System.Threading.Channels;
using GmsaOperator.Runtime.Metrics;
using GmsaOperator.Runtime.Queue;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Events;

/// <summary>How many events one object may get: a burst, then one more per interval.</summary>
public sealed record EventBudget(int Burst, TimeSpan RefillEvery)
{
    /// <summary>client-go's event spam filter: 25 at once, then one every 5 minutes.</summary>
    public static EventBudget Default { get; } = new(25, TimeSpan.FromMinutes(5));
}

/// <summary>Buffers events in a bounded channel (dropping when full) behind a per-object token bucket (<see cref="EventBudget"/>).</summary>
public sealed class EventRecorder(TimeProvider time, RuntimeMetrics metrics, EventBudget? budget = null) : IEventRecorder
{
    private readonly EventBudget _budget = budget ?? EventBudget.Default;
    private readonly Channel<PendingEvent> _channel = Channel.CreateBounded<PendingEvent>(new BoundedChannelOptions(1024)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);

    internal ChannelReader<PendingEvent> Reader => _channel.Reader;

    public void Record(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string action, string note)
    {
        try
        {
            var reference = new V1ObjectReference
            {
                ApiVersion = regarding.ApiVersion, Kind = regarding.Kind, Name = regarding.Metadata?.Name,
                NamespaceProperty = regarding.Metadata?.NamespaceProperty, Uid = regarding.Metadata?.Uid,
                ResourceVersion = regarding.Metadata?.ResourceVersion,
            };
            var key = $"{reference.Uid}|{reference.NamespaceProperty}|{reference.Name}";
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                // Counting takes every lock of the dictionary: only when a new object is about to be added.
                if (_buckets.Count > 10_000) _buckets.Clear(); // bound memory; at worst a burst is allowed again
                bucket = _buckets.GetOrAdd(key, _ => new TokenBucketRateLimiter(1.0 / _budget.RefillEvery.TotalSeconds, _budget.Burst, time));
            }
            if (!bucket.TryTake())
            {
                metrics.EventsDropped.WithLabels("rate_limited").Inc();
                return;
            }
            if (!_channel.Writer.TryWrite(new PendingEvent(reference, type, reason, action, Truncate(note, 1024), time.GetUtcNow())))
            {
                metrics.EventsDropped.WithLabels("buffer_full").Inc();
            }
        }
        catch (Exception)
        {
            metrics.EventsDropped.WithLabels("error").Inc(); // never fail the caller
        }
    }

    internal void Complete() => _channel.Writer.TryComplete();

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
