using GmsaOperator.Entities.Bindings;
using GmsaOperator.Webhooks.Admission;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>Whether the target's pods carry the secure-channel repair hook their GmsaBindings ask for, and from which binding.</summary>
public static partial class DoctorChecks
{
    public static IEnumerable<CheckResult> SecureChannelRepair(DoctorInputs inputs) =>
        inputs.Target is { Description: not null, Found: true } target
            ? target.Pods.Where(p => p.Object is not null).SelectMany(p => SecureChannelRepair(target.Namespace, p, p.Object!, inputs))
            : [];

    private static IEnumerable<CheckResult> SecureChannelRepair(string @namespace, PodState pod, PodObject podObject, DoctorInputs inputs)
    {
        var recreate = $"delete the pod so it is created again through the webhook: kubectl -n {@namespace} delete pod {pod.Name}";
        var plans = SecureChannelRepairPlanner.Plan(podObject,
            name => SecureChannelRepairSelection.Choose(inputs.Bindings
                .Where(b => b.CredentialSpecName == name && b.ServiceAccounts.Contains(pod.ServiceAccount, StringComparer.Ordinal))
                .Select(b => (b.Name, b.SecureChannelRepair))),
            name => inputs.CredentialSpecs.FirstOrDefault(s => s.Name == name)?.CanonicalCredspec);
        var planned = plans.Select(p => p.Index).ToHashSet();
        foreach (var plan in plans)
        {
            var title = $"pod {pod.Name}: container {plan.ContainerName} secure-channel repair hook";
            var binding = $"GmsaBinding {plan.Choice.BindingName} (maxAttempts {plan.Choice.MaxAttempts}, intervalSeconds {plan.Choice.IntervalSeconds})";
            yield return plan.Outcome switch
            {
                SecureChannelRepairOutcome.AlreadyPresent when plan.Command is { } expected && PostStartCommand(podObject, plan.Index)!.SequenceEqual(expected) =>
                    CheckResult.Pass(title, $"present, from {binding}"),
                SecureChannelRepairOutcome.AlreadyPresent =>
                    CheckResult.Warn(title, $"present, but not the one {binding} asks for now: the binding changed after the pod was created", recreate),
                SecureChannelRepairOutcome.OptedOut =>
                    CheckResult.Pass(title, $"not added: the pod opts out with {SecureChannelRepairSpec.OptOutAnnotation}: {SecureChannelRepairSpec.OptOutValue} ({binding} enables it)"),
                SecureChannelRepairOutcome.OwnPostStart =>
                    CheckResult.Warn(title, $"not added: the container has its own lifecycle.postStart hook ({binding} enables the repair)",
                        $"run the repair from your own hook, or annotate the pod {SecureChannelRepairSpec.OptOutAnnotation}: {SecureChannelRepairSpec.OptOutValue} to make that explicit"),
                SecureChannelRepairOutcome.NoDomain =>
                    CheckResult.Warn(title, $"not added: GMSACredentialSpec {plan.CredentialSpecName} has no DomainJoinConfig.DnsName that is a plain DNS name ({binding} enables the repair)",
                        $"fix the credential spec's DomainJoinConfig.DnsName, then {recreate}"),
                _ => CheckResult.Fail(title, $"missing although {binding} enables it: the pod was created before that (or while the webhook was absent)", recreate),
            };
        }
        var containers = podObject.Spec?.Containers ?? [];
        for (var i = 0; i < containers.Count; i++)
        {
            if (planned.Contains(i) || !SecureChannelRepairHook.IsRepairHook(PostStartCommand(podObject, i))) continue;
            yield return CheckResult.Warn($"pod {pod.Name}: container {containers[i].Name} secure-channel repair hook",
                $"present, but no GmsaBinding granting service account {pod.ServiceAccount} this container's credential spec enables secureChannelRepair any more", recreate);
        }
    }

    private static List<string>? PostStartCommand(PodObject pod, int index) => pod.Spec?.Containers?[index].Lifecycle?.PostStart?.Exec?.Command;
}
