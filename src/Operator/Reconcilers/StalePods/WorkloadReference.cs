using k8s;
using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>Just enough of a workload to be the <c>regarding</c> of an event, without reading it.</summary>
public sealed class WorkloadReference(Workload workload, string @namespace) : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = workload.ApiVersion;
    public string Kind { get; set; } = workload.Kind;
    public V1ObjectMeta Metadata { get; set; } = new() { Name = workload.Name, NamespaceProperty = @namespace, Uid = workload.Uid };
}

/// <summary>Remembers what was already said (bounded), so a warning is given once per workload and contents hash, not per reconcile.</summary>
public sealed class OnceMemory
{
    private const int MaxRemembered = 16384;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>True the first time <paramref name="key"/> is seen.</summary>
    public bool First(string key)
    {
        lock (_lock)
        {
            if (_seen.Count >= MaxRemembered) _seen.Clear();
            return _seen.Add(key);
        }
    }
}
