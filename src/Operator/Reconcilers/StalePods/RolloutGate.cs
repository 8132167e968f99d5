using GmsaOperator.Runtime;
using Microsoft.Extensions.Options;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>
/// The rate limit of restarts: at most <see cref="RolloutOptions.MaxConcurrentRestarts"/> workloads restarting at a
/// time in this process. A restart holds its slot until its binding no longer sees the workload stale, or
/// <see cref="RolloutOptions.RestartTimeout"/> passed (a rollout that never finishes must not block the rest forever).
/// </summary>
public sealed class RolloutGate(IOptions<RolloutOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (ObjectKey Binding, DateTimeOffset Started)> _inFlight = new(StringComparer.Ordinal);

    public int FreeSlots()
    {
        lock (_lock)
        {
            Expire();
            return Math.Max(0, options.Value.MaxConcurrentRestarts - _inFlight.Count);
        }
    }

    public int InFlight { get { lock (_lock) return _inFlight.Count; } }

    public void Started(ObjectKey binding, string workloadUid)
    {
        lock (_lock) _inFlight[workloadUid] = (binding, time.GetUtcNow());
    }

    /// <summary>Releases the restarts of <paramref name="binding"/> whose workloads are no longer stale.</summary>
    public void Settle(ObjectKey binding, IReadOnlySet<string> staleWorkloadUids)
    {
        lock (_lock)
        {
            foreach (var (uid, entry) in _inFlight.ToList())
            {
                if (entry.Binding == binding && !staleWorkloadUids.Contains(uid)) _inFlight.Remove(uid);
            }
        }
    }

    private void Expire()
    {
        var now = time.GetUtcNow();
        foreach (var (uid, entry) in _inFlight.ToList())
        {
            if (now - entry.Started >= options.Value.RestartTimeout) _inFlight.Remove(uid);
        }
    }
}
