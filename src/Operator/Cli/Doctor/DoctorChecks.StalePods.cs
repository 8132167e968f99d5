using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Reconcilers.StalePods;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>A binding's pod tracking as its status reports it.</summary>
public sealed record PodTrackingState(bool RollsOut, int? StalePods, string? PodsCurrentStatus, string? PodsCurrentMessage)
{
    public static PodTrackingState? Of(GmsaBinding binding)
    {
        if (!binding.Spec.TracksPods()) return null;
        var condition = binding.Status?.Conditions?.FirstOrDefault(c => c.Type == StalePodPlanner.PodsCurrentType);
        return new PodTrackingState(binding.Spec.RollsOutOnChange(), binding.Status?.StalePods, condition?.Status, condition?.Message);
    }
}

/// <summary>The doctor's stale-pod check: pods running with credential-spec contents that changed since they started.</summary>
public static partial class DoctorChecks
{
    public static IEnumerable<CheckResult> StalePods(IReadOnlyList<BindingState> bindings)
    {
        foreach (var binding in bindings)
        {
            if (binding.Pods is not { } pods) continue;
            var title = $"GmsaBinding {binding.Name}: pods run with current GMSA contents";
            if (pods.StalePods is not { } count || pods.PodsCurrentStatus is null)
            {
                yield return CheckResult.Warn(title, "the operator has not reported on this binding's pods yet",
                    "check that the operator runs and may list and watch pods (its ClusterRole, config/rbac)");
            }
            else if (count == 0)
            {
                yield return CheckResult.Pass(title, pods.PodsCurrentMessage);
            }
            else
            {
                var fix = pods.RollsOut
                    ? "rolloutOnChange restarts Deployments, StatefulSets and DaemonSets; recreate bare pods and re-run Jobs by hand"
                    : $"restart their workloads (kubectl -n <namespace> rollout restart deployment/<name>), or set spec.rolloutOnChange: true on GmsaBinding {binding.Name}";
                yield return CheckResult.Fail(title, pods.PodsCurrentMessage ?? $"{count} stale pod(s)", fix);
            }
        }
    }
}
