using System.Collections.Concurrent;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Writes;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>
/// Finds the workload of a pod from its controller reference: a ReplicaSet is followed (one live read, remembered by
/// its UID) to the Deployment controlling it. Only stale pods are resolved, so no ReplicaSet informer is needed.
/// </summary>
public sealed class WorkloadResolver(IObjectWriter reader)
{
    // A ReplicaSet's controller practically never changes; bounded so that churn cannot grow it without limit.
    private const int MaxRemembered = 4096;
    private readonly ConcurrentDictionary<string, Workload> _byReplicaSetUid = new(StringComparer.Ordinal);

    public async Task<Workload> ResolveAsync(string @namespace, string podName, string podUid, OwnerRef? owner, CancellationToken cancellationToken)
    {
        if (owner is null) return Workload.BarePod(podName, podUid);
        if (owner is not { ApiVersion: "apps/v1", Kind: "ReplicaSet" }) return new Workload(owner.ApiVersion, owner.Kind, owner.Name, owner.Uid);
        if (_byReplicaSetUid.TryGetValue(owner.Uid, out var known)) return known;

        var self = new Workload(owner.ApiVersion, owner.Kind, owner.Name, owner.Uid);
        V1ReplicaSet? replicaSet;
        try
        {
            replicaSet = await reader.GetAsync<V1ReplicaSet>(new ObjectKey(@namespace, owner.Name), cancellationToken);
        }
        catch (HttpOperationException)
        {
            // Not readable now (RBAC, API trouble): name the ReplicaSet; reporting must not stop on it. Not remembered.
            return self;
        }
        // Gone or replaced since the pod was made: report the ReplicaSet the pod names, and do not remember a guess.
        if (replicaSet is null || replicaSet.Metadata.Uid != owner.Uid) return self;
        var controller = StalePodFacts.Controller(replicaSet.Metadata);
        var workload = controller is null ? self : new Workload(controller.ApiVersion, controller.Kind, controller.Name, controller.Uid);
        if (_byReplicaSetUid.Count >= MaxRemembered) _byReplicaSetUid.Clear();
        _byReplicaSetUid[owner.Uid] = workload;
        return workload;
    }
}
