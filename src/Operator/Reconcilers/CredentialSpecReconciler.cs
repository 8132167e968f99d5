using GmsaOperator.Entities.Rbac;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Events;
using GmsaOperator.Runtime.Queue;
using GmsaOperator.Runtime.Writes;
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
        var name = GeneratedNames.ClusterRoleFor(key.Name);
        var existing = cache.Get<V1ClusterRole>(new ObjectKey(null, name));
        if (spec is null || spec.Metadata.DeletionTimestamp is not null)
        {
            // Revoke at once rather than wait for the garbage collector (which stays the backstop via the ownerReference).
            if (existing is not null && ManagedLabels.IsOwnedBy(existing.Metadata, GmsaCredentialSpec.EntityKind, key.Name))
            {
                await writer.DeleteAsync<V1ClusterRole>(new ObjectKey(null, name), cancellationToken);
            }
            return ReconcileResult.Done;
        }

        if (existing is not null && !ManagedLabels.IsManaged(existing.Metadata.Labels))
        {
            LogConflict(spec.Metadata.Name, name);
            events.Record(spec, EventTypes.Warning, "Conflict", "GenerateClusterRole",
                $"ClusterRole {name} already exists and is not managed by gmsa-operator; it is left untouched and no GmsaBinding can use this credential spec until it is removed or renamed.");
            return ReconcileResult.Done;
        }

        var desired = DesiredRbac.ClusterRole(spec.Metadata.Name, spec.Metadata.Uid);
        if (existing is null)
        {
            // Create when the cache says missing; already there means the cache is behind: decide again once it is not.
            if (await writer.CreateAsync(desired, cancellationToken) is null) return ReconcileResult.Requeue;
        }
        else if (!GeneratedObjectComparer.Satisfies(existing, desired))
        {
            await writer.ApplyAsync(desired, cancellationToken);
        }
        return ReconcileResult.Done;
    }

    [LoggerMessage(LogLevel.Warning, "ClusterRole {ClusterRole} for GMSACredentialSpec {CredentialSpec} exists and is not managed by gmsa-operator; not touching it")]
    private partial void LogConflict(string credentialSpec, string clusterRole);
}
