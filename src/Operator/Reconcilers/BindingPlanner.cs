using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Everything the binding reconciler observed, read from the caches.</summary>
/// <param name="RoleBinding">The object at the binding's generated RoleBinding name, judged against the binding.</param>
/// <param name="LegacyRoleBinding">The object at an earlier release's name for it (long names only), if any.</param>
/// <param name="ClusterRole">The object at the credential spec's ClusterRole name, judged against the credential spec.</param>
public sealed record BindingObservation(
    BindingIdentity Binding,
    string CredentialSpecName,
    IReadOnlyList<string> ServiceAccounts,
    bool CredentialSpecExists,
    ChildOwnership ClusterRole,
    ChildOwnership RoleBinding,
    string? ExistingRoleRefName,
    IReadOnlySet<string> ExistingServiceAccounts,
    ChildOwnership? LegacyRoleBinding = null);

/// <summary>A condition to set (lastTransitionTime and observedGeneration are filled in by the condition helper).</summary>
public sealed record DesiredCondition(string Type, string Status, string Reason, string Message);

/// <summary>
/// What the binding reconciler must do: run <paramref name="Deletions"/> (each pinned to the object judged), then create
/// or apply <paramref name="Apply"/> (onto the object judged, if it is ours), then write these conditions.
/// </summary>
public sealed record BindingPlan(
    V1RoleBinding? Apply,
    IReadOnlyList<ChildDeletion> Deletions,
    DesiredCondition Ready,
    DesiredCondition ServiceAccountsFound,
    string ClusterRoleName,
    string RoleBindingName)
{
    /// <summary>Whether the object at the generated name goes away first (then <see cref="Apply"/> creates it anew).</summary>
    public bool DeletesRoleBinding => Deletions.Any(d => d.Child.Name == RoleBindingName);
}

/// <summary>The pure decision of the GmsaBinding reconciler.</summary>
public static class BindingPlanner
{
    public const string ReadyType = "Ready";
    public const string ServiceAccountsFoundType = "ServiceAccountsFound";
    public const string ConflictReason = "Conflict";

    public static BindingPlan Plan(BindingObservation o)
    {
        var clusterRole = GeneratedNames.ClusterRoleFor(o.CredentialSpecName);
        var roleBinding = GeneratedNames.RoleBindingFor(o.Binding.Name);
        var ns = o.Binding.Namespace;
        var accounts = ServiceAccountsCondition(o);
        var rb = o.RoleBinding;
        // Ours under an earlier release's name: always removed (it would keep granting what this binding no longer says).
        var legacy = o.LegacyRoleBinding is { State: OwnershipState.Owned } l ? [ChildDeletion.Owned(l)] : Array.Empty<ChildDeletion>();
        // A leftover of a deleted binding of the same name goes (as the garbage collector would), so ours can be created.
        var clear = rb.State == OwnershipState.Predecessor ? [ChildDeletion.IfDangling(rb)] : Array.Empty<ChildDeletion>();

        BindingPlan Plan(V1RoleBinding? apply, IEnumerable<ChildDeletion> delete, string status, string reason, string message) =>
            new(apply, [.. legacy, .. delete], new DesiredCondition(ReadyType, status, reason, message), accounts, clusterRole, roleBinding);

        if (rb.State == OwnershipState.Foreign)
        {
            return Plan(null, [], "False", ConflictReason,
                $"RoleBinding {ns}/{roleBinding} already exists and is not this GmsaBinding's: {rb.Why}. gmsa-operator leaves it " +
                "untouched; delete or rename it, or rename this GmsaBinding.");
        }

        // Ours (by UID) or a dangling leftover: safe to remove when no RoleBinding should exist.
        var removeExisting = rb.State switch
        {
            OwnershipState.Owned => [ChildDeletion.Owned(rb)],
            OwnershipState.Predecessor => clear,
            _ => Array.Empty<ChildDeletion>(),
        };

        if (!o.CredentialSpecExists)
        {
            return Plan(null, removeExisting, "False", "CredentialSpecNotFound",
                $"GMSACredentialSpec \"{o.CredentialSpecName}\" does not exist (names are case-sensitive, see 'kubectl get gmsacredentialspecs'); " +
                "the binding becomes Ready once it is created.");
        }

        if (o.ClusterRole.State == OwnershipState.Foreign)
        {
            // Binding to a role someone else controls could grant more than `use` of this credential spec.
            return Plan(null, removeExisting, "False", ConflictReason,
                $"ClusterRole {clusterRole} already exists and is not generated for GMSACredentialSpec \"{o.CredentialSpecName}\": " +
                $"{o.ClusterRole.Why}. gmsa-operator leaves it untouched; delete or rename it.");
        }

        if (o.ClusterRole.State == OwnershipState.Predecessor)
        {
            // Its rules came from an earlier credential spec (or whoever forged the reference): bind only to the new one.
            return Plan(null, removeExisting, "False", "ClusterRolePending",
                $"ClusterRole {clusterRole} still belongs to an earlier GMSACredentialSpec \"{o.CredentialSpecName}\"; waiting for it to be replaced.");
        }

        var desired = DesiredRbac.RoleBinding(o.Binding, o.CredentialSpecName, o.ServiceAccounts);
        // roleRef is immutable: a binding that now names another credential spec needs a new RoleBinding.
        var recreate = rb.State == OwnershipState.Owned && o.ExistingRoleRefName is not null && o.ExistingRoleRefName != clusterRole
            ? [ChildDeletion.Owned(rb)]
            : clear;

        if (o.ClusterRole.State == OwnershipState.Missing)
        {
            return Plan(desired, recreate, "False", "ClusterRolePending",
                $"Waiting for ClusterRole {clusterRole} to be generated for GMSACredentialSpec \"{o.CredentialSpecName}\".");
        }

        return Plan(desired, recreate, "True", "Bound",
            $"Service accounts {string.Join(", ", o.ServiceAccounts)} in namespace {ns} may use GMSACredentialSpec " +
            $"\"{o.CredentialSpecName}\" through RoleBinding {roleBinding} and ClusterRole {clusterRole}.");
    }

    private static DesiredCondition ServiceAccountsCondition(BindingObservation o)
    {
        var missing = o.ServiceAccounts.Where(sa => !o.ExistingServiceAccounts.Contains(sa)).Distinct(StringComparer.Ordinal).ToList();
        return missing.Count == 0
            ? new DesiredCondition(ServiceAccountsFoundType, "True", "AllFound", "Every listed service account exists.")
            : new DesiredCondition(ServiceAccountsFoundType, "False", "ServiceAccountsMissing",
                $"Service accounts not found in namespace {o.Binding.Namespace}: {string.Join(", ", missing)}. " +
                "The binding still applies; they can use the credential spec once created.");
    }
}
