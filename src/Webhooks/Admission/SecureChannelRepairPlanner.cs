using System.Text.Json;
using GmsaOperator.Entities.Bindings;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>What happens to one container's secure-channel repair.</summary>
public enum SecureChannelRepairOutcome
{
    /// <summary>The hook is (to be) added.</summary>
    Add,

    /// <summary>The container already carries a repair hook this operator generated (a reinvocation, or a copied pod).</summary>
    AlreadyPresent,

    /// <summary>The container has its own postStart hook, which is never replaced.</summary>
    OwnPostStart,

    /// <summary>The pod opted out with the annotation.</summary>
    OptedOut,

    /// <summary>The credential spec has no usable domain name for the hook's message.</summary>
    NoDomain,
}

/// <summary>The repair decision for one regular container whose credential spec is granted by a binding with the repair enabled.</summary>
/// <param name="HasLifecycle">Whether the container has a <c>lifecycle</c> object (decides the JSON-patch path).</param>
/// <param name="Command">The hook the chosen binding asks for (null when the credential spec has no usable domain), whatever the outcome.</param>
public sealed record ContainerRepairPlan(int Index, string ContainerName, string CredentialSpecName, SecureChannelRepairChoice Choice,
    SecureChannelRepairOutcome Outcome, bool HasLifecycle, IReadOnlyList<string>? Command);

/// <summary>
/// Decides, container by container, where the secure-channel repair hook goes. Pure: the binding choice and the
/// domain come in as functions, so the webhook (informer cache) and the doctor (listed objects) share it.
/// Only regular containers: the API forbids lifecycle on init containers and on ephemeral containers.
/// </summary>
public static class SecureChannelRepairPlanner
{
    /// <param name="choose">The applicable repair settings for a credential spec name (already for the pod's service account), or null.</param>
    /// <param name="contentsOf">The credential spec JSON of a name when the pod does not inline it (what the mutator resolved), or null.</param>
    public static IReadOnlyList<ContainerRepairPlan> Plan(PodObject pod, Func<string, SecureChannelRepairChoice?> choose, Func<string, string?> contentsOf)
    {
        var containers = pod.Spec?.Containers;
        if (containers is null || containers.Count == 0) return [];
        var podOptions = pod.Spec!.SecurityContext?.WindowsOptions;
        var optedOut = OptOut(pod) == true;
        var choices = new Dictionary<string, SecureChannelRepairChoice?>(StringComparer.Ordinal);
        var plans = new List<ContainerRepairPlan>();
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i];
            var options = container.SecurityContext?.WindowsOptions;
            // The kubelet merges windowsOptions field by field, the container's value winning.
            if ((options?.GmsaCredentialSpecName ?? podOptions?.GmsaCredentialSpecName) is not { } name) continue;
            if (!choices.TryGetValue(name, out var choice)) choices[name] = choice = choose(name);
            if (choice is null) continue;

            var postStart = container.Lifecycle?.PostStart;
            var domain = Domain(options?.GmsaCredentialSpec ?? podOptions?.GmsaCredentialSpec ?? contentsOf(name));
            var command = domain is null ? null : SecureChannelRepairHook.Command(domain, choice.MaxAttempts, choice.IntervalSeconds);
            var outcome =
                SecureChannelRepairHook.IsRepairHook(postStart?.Exec?.Command) ? SecureChannelRepairOutcome.AlreadyPresent
                : optedOut ? SecureChannelRepairOutcome.OptedOut
                : postStart is not null ? SecureChannelRepairOutcome.OwnPostStart
                : command is null ? SecureChannelRepairOutcome.NoDomain
                : SecureChannelRepairOutcome.Add;
            plans.Add(new ContainerRepairPlan(i, container.Name ?? "", name, choice, outcome, container.Lifecycle is not null, command));
        }
        return plans;
    }

    /// <summary>True when the pod opts out, false when it carries the annotation with another value, null without it.</summary>
    public static bool? OptOut(PodObject pod) =>
        pod.Metadata?.Annotations?.TryGetValue(SecureChannelRepairSpec.OptOutAnnotation, out var value) == true
            ? value == SecureChannelRepairSpec.OptOutValue
            : null;

    /// <summary><c>DomainJoinConfig.DnsName</c> of a credential spec JSON when it is a plain DNS name (it goes into a script), else null.</summary>
    public static string? Domain(string? credentialSpecJson)
    {
        if (string.IsNullOrEmpty(credentialSpecJson)) return null;
        try
        {
            using var document = JsonDocument.Parse(credentialSpecJson);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                   && root.TryGetProperty("DomainJoinConfig", out var join) && join.ValueKind == JsonValueKind.Object
                   && join.TryGetProperty("DnsName", out var dns) && dns.ValueKind == JsonValueKind.String
                   && SecureChannelRepairHook.IsPlainDnsName(dns.GetString())
                ? dns.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
