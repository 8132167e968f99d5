using GmsaOperator.Runtime.Conditions;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>What the stale-pod reconciler found about one binding.</summary>
/// <param name="CurrentHash">Hash of the credspec's current canonical contents; null when it has none (missing, unrenderable).</param>
/// <param name="RestartSlots">How many more workloads may be restarted now (the rate limit), for bindings that roll out.</param>
public sealed record StalePodObservation(bool Tracks, bool RollsOut, string CredentialSpecName, string? CurrentHash,
    IReadOnlyList<StalePod> Stale, int RestartSlots);

/// <summary>The status to write and the workloads to warn about and restart.</summary>
/// <param name="StalePods">Null when the binding does not track pods (the field is then cleared).</param>
/// <param name="Condition">Null when the binding does not track pods (the condition is then removed).</param>
public sealed record StalePodPlan(int? StalePods, DesiredCondition? Condition, IReadOnlyList<Workload> StaleWorkloads,
    IReadOnlyList<Workload> Restart, IReadOnlyList<Workload> NotRestartable);

/// <summary>The pure decisions about pods running with old credential-spec contents.</summary>
public static class StalePodPlanner
{
    public const string PodsCurrentType = "PodsCurrent";

    /// <summary>Pods named in the condition message; the rest are counted.</summary>
    public const int NamedInMessage = 5;

    /// <summary>
    /// The pods of <paramref name="serviceAccounts"/> using <paramref name="credentialSpecName"/> whose recorded hash is
    /// not <paramref name="currentHash"/>. A pod without a readable hash for it counts as stale: its contents are unknown.
    /// </summary>
    public static IReadOnlyList<TrackedPod> FindStale(string credentialSpecName, IReadOnlySet<string> serviceAccounts, string currentHash, IEnumerable<TrackedPod> pods) =>
        [.. pods.Where(p => !p.Gone
                && serviceAccounts.Contains(p.ServiceAccount)
                && p.CredentialSpecs.Contains(credentialSpecName)
                && (p.RecordedHashes?.GetValueOrDefault(credentialSpecName) != currentHash))
            .OrderBy(p => p.Name, StringComparer.Ordinal)];

    public static StalePodPlan Plan(StalePodObservation o)
    {
        if (!o.Tracks) return new StalePodPlan(null, null, [], [], []);
        if (o.CurrentHash is null)
        {
            return new StalePodPlan(null, new DesiredCondition(PodsCurrentType, ConditionExtensions.Unknown, "CredentialSpecUnavailable",
                $"GMSACredentialSpec {o.CredentialSpecName} does not exist or has no credspec; pods cannot be compared with it."), [], [], []);
        }
        var workloads = o.Stale.Select(p => p.Workload).Distinct().OrderBy(w => w.Kind, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal).ToList();
        if (o.Stale.Count == 0)
        {
            return new StalePodPlan(0, new DesiredCondition(PodsCurrentType, ConditionExtensions.True, "PodsCurrent",
                $"Every tracked pod runs with the current contents of GMSACredentialSpec {o.CredentialSpecName}."), [], [], []);
        }

        var restartable = o.RollsOut ? workloads.Where(w => w.Restartable).ToList() : [];
        var restart = restartable.Take(Math.Max(0, o.RestartSlots)).ToList();
        var notRestartable = o.RollsOut ? workloads.Where(w => !w.Restartable).ToList() : [];
        return new StalePodPlan(o.Stale.Count, new DesiredCondition(PodsCurrentType, ConditionExtensions.False, "StalePods", Message(o, restartable.Count > 0)),
            workloads, restart, notRestartable);
    }

    private static string Message(StalePodObservation o, bool rollingOut)
    {
        var named = string.Join(", ", o.Stale.Take(NamedInMessage).Select(p => p.Workload.Kind == "Pod" ? $"{p.Name} (bare pod)" : $"{p.Name} ({p.Workload.Display})"));
        var more = o.Stale.Count > NamedInMessage ? $" and {o.Stale.Count - NamedInMessage} more" : "";
        var pods = o.Stale.Count == 1 ? "1 pod runs" : $"{o.Stale.Count} pods run";
        var fix = rollingOut
            ? "Their workloads are being restarted (rolloutOnChange); bare pods and Jobs must be recreated by hand."
            : "Restart their workloads (kubectl rollout restart) or recreate the pods, or set spec.rolloutOnChange.";
        return $"{pods} with old contents of GMSACredentialSpec {o.CredentialSpecName}: {named}{more}. {fix}";
    }
}
