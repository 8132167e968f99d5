using System.Text;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Webhooks.Bindings;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>The JSON-patch ops and admission warnings the secure-channel repair adds to a pod CREATE.</summary>
/// <param name="Operations">Path and canonical JSON value of each <c>add</c> op, in container order.</param>
public sealed record SecureChannelRepairPatch(IReadOnlyList<(string Path, string Json)> Operations, IReadOnlyList<string> Warnings)
{
    public static readonly SecureChannelRepairPatch None = new([], []);
}

/// <summary>
/// Admission side of <see cref="SecureChannelRepairSpec"/>: finds the bindings granting the pod's service account each
/// container's credential spec (from the binding cache, no API call), and turns the plan into patch ops and warnings.
/// </summary>
public sealed class SecureChannelRepair
{
    /// <param name="grants">The bindings granting the pod's service account, for this admission.</param>
    /// <param name="names">The credential spec names the pod's blocks use, each once.</param>
    /// <param name="contentsOf">Credential spec JSON the mutator resolved, by name.</param>
    /// <returns>The patch, or null when the namespace's bindings could not be read (the caller must not guess).</returns>
    public async ValueTask<SecureChannelRepairPatch?> AmendAsync(PodGrants grants, PodObject pod, IReadOnlyList<string> names, Func<string, string?> contentsOf,
        CancellationToken cancellationToken)
    {
        // Names no object can have are not looked up (see AdmissionNames); such a pod gets no options.
        if (string.IsNullOrEmpty(grants.Namespace) || AdmissionNames.InvalidNamespace(grants.Namespace) is not null || AdmissionNames.InvalidSubdomain(grants.ServiceAccount) is not null)
        {
            return SecureChannelRepairPatch.None;
        }
        var choices = new Dictionary<string, SecureChannelRepairChoice?>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (AdmissionNames.InvalidSubdomain(name) is not null) continue;
            if (await grants.GrantingAsync(name, cancellationToken).ConfigureAwait(false) is not { } granting) return null;
            choices[name] = SecureChannelRepairSelection.Choose(granting);
        }
        var plans = SecureChannelRepairPlanner.Plan(pod, name => choices.GetValueOrDefault(name), contentsOf);
        if (plans.Count == 0) return SecureChannelRepairPatch.None;

        var operations = new List<(string Path, string Json)>();
        var warnings = new List<string>();
        foreach (var plan in plans)
        {
            switch (plan.Outcome)
            {
                case SecureChannelRepairOutcome.Add:
                    operations.Add(plan.HasLifecycle
                        ? ($"/spec/containers/{plan.Index}/lifecycle/postStart", HandlerJson(plan.Command!))
                        : ($"/spec/containers/{plan.Index}/lifecycle", "{\"postStart\":" + HandlerJson(plan.Command!) + "}"));
                    break;
                case SecureChannelRepairOutcome.OwnPostStart:
                    warnings.Add($"container {plan.ContainerName} has its own lifecycle.postStart hook, so the secure-channel repair of GmsaBinding {plan.Choice.BindingName} was not added " +
                                 $"(annotate the pod {SecureChannelRepairSpec.OptOutAnnotation}: {SecureChannelRepairSpec.OptOutValue} if that is intended)");
                    break;
                case SecureChannelRepairOutcome.NoDomain:
                    warnings.Add($"container {plan.ContainerName}: the secure-channel repair of GmsaBinding {plan.Choice.BindingName} was not added because GMSACredentialSpec {plan.CredentialSpecName} " +
                                 "has no DomainJoinConfig.DnsName that is a plain DNS name");
                    break;
            }
        }
        if (operations.Count > 0 && SecureChannelRepairPlanner.OptOut(pod) == false)
        {
            warnings.Add($"annotation {SecureChannelRepairSpec.OptOutAnnotation} is not {GoQuote.Quote(SecureChannelRepairSpec.OptOutValue)}, the only value that opts a pod out; the secure-channel repair was added");
        }
        return new SecureChannelRepairPatch(operations, warnings);
    }

    /// <summary><c>{"exec":{"command":[...]}}</c>, compact and Go-escaped, as Go marshals it (single-key objects, so key order is fixed).</summary>
    public static string HandlerJson(IReadOnlyList<string> command)
    {
        var sb = new StringBuilder("{\"exec\":{\"command\":[");
        for (var i = 0; i < command.Count; i++)
        {
            if (i > 0) sb.Append(',');
            CanonicalJson.WriteString(sb, command[i]);
        }
        return sb.Append("]}}").ToString();
    }
}
