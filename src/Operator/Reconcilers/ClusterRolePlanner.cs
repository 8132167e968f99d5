using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>
/// What the credential spec reconciler must do: run <paramref name="Deletions"/>, then create or apply
/// <paramref name="Apply"/>; or, with a <paramref name="Conflict"/>, nothing at all but report it.
/// </summary>
public sealed record ClusterRolePlan(V1ClusterRole? Apply, IReadOnlyList<ChildDeletion> Deletions, string? Conflict)
{
    /// <summary>Whether the object at the generated name goes away first (then <see cref="Apply"/> creates it anew).</summary>
    public bool DeletesCurrent => Apply is not null && Deletions.Any(d => d.Child.Name == Apply.Metadata.Name);
}

/// <summary>The pure decision of the GMSACredentialSpec reconciler about its one ClusterRole.</summary>
public static class ClusterRolePlanner
{
    /// <param name="current">The object at the generated ClusterRole name, judged against the credential spec.</param>
    /// <param name="legacy">The object at an earlier release's name for it (long names only), if any.</param>
    public static ClusterRolePlan Plan(string credentialSpecName, string credentialSpecUid, ChildOwnership current, ChildOwnership? legacy)
    {
        // Ours under an earlier release's name: removed, whatever happens at today's name.
        List<ChildDeletion> deletions = legacy is { State: OwnershipState.Owned } ? [ChildDeletion.Owned(legacy)] : [];
        switch (current.State)
        {
            case OwnershipState.Foreign:
                return new(null, deletions, $"ClusterRole {current.Name} already exists and is not this GMSACredentialSpec's: {current.Why}. " +
                    "gmsa-operator leaves it untouched and no GmsaBinding can use this credential spec until it is removed or renamed.");
            case OwnershipState.Predecessor:
                // The leftover of a deleted credential spec of the same name goes (as the garbage collector would); never adopted.
                deletions.Add(ChildDeletion.IfDangling(current));
                break;
        }
        return new(DesiredRbac.ClusterRole(credentialSpecName, credentialSpecUid), deletions, null);
    }
}
