using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>What exists today under the names a GmsaBinding's generated objects would use.</summary>
public enum GeneratedObjectState
{
    Missing,
    Managed,
    Unmanaged,
}

/// <summary>Everything the binding reconciler observed, read from the caches.</summary>
public sealed record BindingObservation(
    BindingIdentity Binding,
    string CredentialSpecName,
    IReadOnlyList<string> ServiceAccounts,
    bool CredentialSpecExists,
    GeneratedObjectState ClusterRole,
    GeneratedObjectState RoleBinding,
    string? ExistingRoleRefName,
    IReadOnlySet<string> ExistingServiceAccounts);

/// <summary>A condition to set (lastTransitionTime and observedGeneration are filled in by the condition helper).</summary>
public sealed record DesiredCondition(string Type, string Status, string Reason, string Message);

/// <summary>What the binding reconciler must do: apply and/or delete the RoleBinding, then write these conditions.</summary>
public sealed record BindingPlan(
    V1RoleBinding? Apply,
    bool DeleteRoleBinding,
    DesiredCondition Ready,
    DesiredCondition ServiceAccountsFound,
    string ClusterRoleName,
    string RoleBindingName);

/// <summary>The pure decision of the GmsaBinding reconciler.</summary>
public static class BindingPlanner
{
    public const string ReadyType = "Ready";
    public const string ServiceAccountsFoundType = "ServiceAccountsFound";

    public static BindingPlan Plan(BindingObservation o)
    {
        var clusterRole = GeneratedNames.ClusterRoleFor(o.CredentialSpecName);
        var roleBinding = GeneratedNames.RoleBindingFor(o.Binding.Name);
        var ns = o.Binding.Namespace;
        var accounts = ServiceAccountsCondition(o);
        var ownsExisting = o.RoleBinding == GeneratedObjectState.Managed;

        BindingPlan Plan(V1RoleBinding? apply, bool delete, string status, string reason, string message) =>
            new(apply, delete, new DesiredCondition(ReadyType, status, reason, message), accounts, clusterRole, roleBinding);

        if (o.RoleBinding == GeneratedObjectState.Unmanaged)
        {
            return Plan(null, false, "False", "Conflict",
                $"RoleBinding {ns}/{roleBinding} already exists and is not managed by gmsa-operator; " +
                "delete or rename it, or rename this GmsaBinding.");
        }

        if (!o.CredentialSpecExists)
        {
            return Plan(null, ownsExisting, "False", "CredentialSpecNotFound",
                $"GMSACredentialSpec \"{o.CredentialSpecName}\" does not exist (names are case-sensitive, see 'kubectl get gmsacredentialspecs'); " +
                "the binding becomes Ready once it is created.");
        }

        if (o.ClusterRole == GeneratedObjectState.Unmanaged)
        {
            // Binding to a role someone else controls could grant more than `use` of this credential spec.
            return Plan(null, ownsExisting, "False", "Conflict",
                $"ClusterRole {clusterRole} already exists and is not managed by gmsa-operator; delete or rename it.");
        }

        var desired = DesiredRbac.RoleBinding(o.Binding, o.CredentialSpecName, o.ServiceAccounts);
        // roleRef is immutable: a binding that now names another credential spec needs a new RoleBinding.
        var recreate = ownsExisting && o.ExistingRoleRefName is not null && o.ExistingRoleRefName != clusterRole;

        if (o.ClusterRole == GeneratedObjectState.Missing)
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
