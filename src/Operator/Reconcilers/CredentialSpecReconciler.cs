using GmsaOperator.Entities.Rbac;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Events;
using GmsaOperator.Runtime.Queue;
using GmsaOperator.Runtime.Writes;
using System.Net;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Keeps one ClusterRole granting <c>use</c> per GMSACredentialSpec; the garbage collector removes it with the credspec.</summary>
[RequiresPermission("rbac.authorization.k8s.io", "clusterroles", "get", "list", "watch", "create", "update", "patch", "delete",
    Reason = "one ClusterRole granting use per GMSACredentialSpec")]
// RBAC escalation checks: creating a ClusterRole that grants `use`, and a RoleBinding to it, is allowed only to
// someone who holds that permission (or `escalate`/`bind`). Holding `use` on credential specs is far narrower than
// `escalate` (any role) or an unrestricted `bind`; the operator's own pods never use a GMSA identity.
[RequiresPermission("windows.k8s.io", "gmsacredentialspecs", "get", "list", "watch", "use")]
public sealed partial class CredentialSpecReconciler(
    IObjectCache cache, IObjectWriter writer, IEventRecorder events, ILogger<CredentialSpecReconciler> logger) : IReconciler
{
    public const string ControllerName = "gmsacredentialspec";

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var spec = cache.Get<GmsaCredentialSpec>(key);
        var gone = spec is null || spec.Metadata.DeletionTimestamp is not null;
        var owner = new OwnerIdentity(GmsaCredentialSpec.ApiGroup, GmsaCredentialSpec.EntityKind, key.Name, spec?.Metadata.Uid);
        var name = GeneratedNames.ClusterRoleFor(key.Name);
        var current = Judge(name, owner);
        var legacy = GeneratedNames.LegacyClusterRoleFor(key.Name) is { } legacyName ? Judge(legacyName, owner) : null;
        try
        {
            if (gone)
            {
                // Revoke at once rather than wait for the garbage collector (which stays the backstop via the ownerReference).
                return await RevokeAsync([current, legacy], cancellationToken);
            }

            var plan = ClusterRolePlanner.Plan(spec!.Metadata.Name, spec.Metadata.Uid, current, legacy);
            foreach (var deletion in plan.Deletions)
            {
                if (!await ChildDeletions.RunAsync<V1ClusterRole, GmsaCredentialSpec>(writer, null, null, deletion, cancellationToken)) return ReconcileResult.Requeue;
            }
            if (plan.Conflict is not null)
            {
                LogConflict(spec.Metadata.Name, name);
                events.Record(spec, EventTypes.Warning, "Conflict", "GenerateClusterRole", plan.Conflict);
                return ReconcileResult.Done;
            }

            var existing = plan.DeletesCurrent ? null : cache.Get<V1ClusterRole>(new ObjectKey(null, name));
            if (existing is null)
            {
                // Create when the cache says missing; already there means the cache is behind: decide again once it is not.
                if (await writer.CreateAsync(plan.Apply!, cancellationToken) is null) return ReconcileResult.Requeue;
            }
            else if (!GeneratedObjectComparer.Satisfies(existing, plan.Apply!))
            {
                // Only ever onto the very object judged ours: a replacement since then fails the precondition.
                await writer.ApplyAsync(plan.Apply!, current.Guard!, cancellationToken);
            }
            return ReconcileResult.Done;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // A precondition failed: the object judged from the cache changed or was replaced. Decide again from the new state.
            return ReconcileResult.Requeue;
        }
    }

    private ChildOwnership Judge(string name, OwnerIdentity owner) =>
        GeneratedOwnership.Classify(name, cache.Get<V1ClusterRole>(new ObjectKey(null, name))?.Metadata, owner);

    /// <summary>Deletes what the credential spec owned by UID, or what a live read confirms nobody owns any more; never anything else.</summary>
    private async Task<ReconcileResult> RevokeAsync(IEnumerable<ChildOwnership?> children, CancellationToken cancellationToken)
    {
        foreach (var child in children)
        {
            var deletion = ChildDeletion.OnRevocation(child);
            if (deletion is not null && !await ChildDeletions.RunAsync<V1ClusterRole, GmsaCredentialSpec>(writer, null, null, deletion, cancellationToken))
            {
                return ReconcileResult.Requeue;
            }
        }
        return ReconcileResult.Done;
    }

    [LoggerMessage(LogLevel.Warning, "ClusterRole {ClusterRole} for GMSACredentialSpec {CredentialSpec} exists and is not controlled by it; not touching it")]
    private partial void LogConflict(string credentialSpec, string clusterRole);
}
