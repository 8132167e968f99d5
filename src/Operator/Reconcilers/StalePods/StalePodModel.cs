namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>The controlling owner named by an object's ownerReferences.</summary>
public sealed record OwnerRef(string ApiVersion, string Kind, string Name, string Uid);

/// <summary>A tracked pod as the planner needs it (from the labelled-pod cache).</summary>
/// <param name="CredentialSpecs">Names in the pod's windowsOptions (pod level and every container).</param>
/// <param name="RecordedHashes">The hashes annotation, parsed; null when absent or unreadable (contents unknown).</param>
/// <param name="Gone">Terminating or finished: about to go away, so never stale.</param>
public sealed record TrackedPod(string Name, string Uid, string ServiceAccount, IReadOnlySet<string> CredentialSpecs,
    IReadOnlyDictionary<string, string>? RecordedHashes, OwnerRef? Owner, bool Gone);

/// <summary>
/// The workload a stale pod belongs to: its top-level controller (Deployment through its ReplicaSet), or the pod itself
/// when it has no controller. <paramref name="RestartedForHash"/> is known only once it was read for a restart decision.
/// </summary>
public sealed record Workload(string ApiVersion, string Kind, string Name, string Uid)
{
    public string Display => $"{Kind} {Name}";

    /// <summary>What <c>kubectl rollout restart</c> can restart: apps/v1 Deployments, StatefulSets and DaemonSets.</summary>
    public bool Restartable => ApiVersion == "apps/v1" && Kind is "Deployment" or "StatefulSet" or "DaemonSet";

    public static Workload BarePod(string podName, string podUid) => new("v1", "Pod", podName, podUid);
}

/// <summary>A stale pod and its workload.</summary>
public sealed record StalePod(string Name, Workload Workload);
