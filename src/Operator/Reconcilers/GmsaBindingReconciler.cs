using GmsaOperator.Entities.Rbac;
using System.Net;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Conditions;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Events;
using GmsaOperator.Runtime.Queue;
using GmsaOperator.Runtime.Writes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>GmsaBinding → RoleBinding of its service accounts to the credential spec's ClusterRole, with status conditions.</summary>
[RequiresPermission("rbac.authorization.k8s.io", "rolebindings", "get", "list", "watch", "create", "update", "patch", "delete",
    Reason = "one RoleBinding per GmsaBinding")]
[RequiresPermission("gmsa.dev", "gmsabindings", "get", "list", "watch")]
[RequiresPermission("gmsa.dev", "gmsabindings/status", "get", "update", "patch")]
[RequiresPermission("", "serviceaccounts", "list", "watch", Reason = "report listed service accounts that do not exist")]
[RequiresPermission("events.k8s.io", "events", "create", "patch", Reason = "events on GmsaBindings in every namespace")]
public sealed partial class GmsaBindingReconciler(
    IObjectCache cache, IObjectWriter writer, IEventRecorder events, TimeProvider time, ILogger<GmsaBindingReconciler> logger) : IReconciler
{
    public const string ControllerName = "gmsabinding";

    /// <summary>Index of bindings by the credential spec they name.</summary>
    public const string ByCredentialSpec = "credentialSpecName";

    /// <summary>Index of bindings by namespace (pod events of the stale-pod controller map to every binding there).</summary>
    public const string ByNamespace = "namespace";

    /// <summary>Index of bindings by the service accounts they list (<see cref="ServiceAccountIndexValue"/>).</summary>
    public const string ByServiceAccount = "serviceAccount";

    /// <summary>A service account's value in <see cref="ByServiceAccount"/> ('/' appears in neither a namespace nor a name).</summary>
    public static string ServiceAccountIndexValue(string? @namespace, string name) => $"{@namespace}/{name}";

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var binding = cache.Get<GmsaBinding>(key);
        try
        {
            if (binding is null || binding.Metadata.DeletionTimestamp is not null)
            {
                // Revoke at once rather than wait for the garbage collector (which stays the backstop via the ownerReference).
                return await RevokeAsync(key, binding?.Metadata.Uid, cancellationToken);
            }
            return await ReconcileBindingAsync(binding, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // A precondition failed: the object judged from the cache changed or was replaced. Decide again from the new state.
            return ReconcileResult.Requeue;
        }
    }

    /// <summary>Deletes what this binding owns by UID, or — once it is gone — what a live read confirms nobody owns any more.</summary>
    private async Task<ReconcileResult> RevokeAsync(ObjectKey key, string? uid, CancellationToken cancellationToken)
    {
        var owner = new OwnerIdentity(GmsaBinding.ApiGroup, GmsaBinding.EntityKind, key.Name, uid);
        foreach (var name in new[] { GeneratedNames.RoleBindingFor(key.Name), GeneratedNames.LegacyRoleBindingFor(key.Name) }.OfType<string>())
        {
            var child = GeneratedOwnership.Classify(name, cache.Get<V1RoleBinding>(new ObjectKey(key.Namespace, name))?.Metadata, owner);
            var deletion = ChildDeletion.OnRevocation(child); // null when not ours: never touched
            if (deletion is not null && !await ChildDeletions.RunAsync<V1RoleBinding, GmsaBinding>(writer, key.Namespace, key.Namespace, deletion, cancellationToken))
            {
                return ReconcileResult.Requeue;
            }
        }
        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> ReconcileBindingAsync(GmsaBinding binding, CancellationToken cancellationToken)
    {
        var key = ObjectKey.Of(binding);
        var observation = Observe(binding);
        var plan = BindingPlanner.Plan(observation);
        var ready = plan.Ready;
        try
        {
            foreach (var deletion in plan.Deletions)
            {
                if (!await ChildDeletions.RunAsync<V1RoleBinding, GmsaBinding>(writer, key.Namespace, key.Namespace, deletion, cancellationToken))
                {
                    return ReconcileResult.Requeue;
                }
            }
            var observed = plan.DeletesRoleBinding ? null : cache.Get<V1RoleBinding>(new ObjectKey(key.Namespace, plan.RoleBindingName));
            if (plan.Apply is not null && !GeneratedObjectComparer.Satisfies(observed, plan.Apply))
            {
                // Missing from the cache: create (a plain POST is far cheaper for the API server than an apply). If it
                // exists after all, the cache is behind — decide again once it has caught up, never overwrite blindly.
                if (observed is null)
                {
                    if (await writer.CreateAsync(plan.Apply, cancellationToken) is null) return ReconcileResult.Requeue;
                }
                else
                {
                    // Only ever onto the very object judged ours: a replacement since then fails the precondition.
                    await writer.ApplyAsync(plan.Apply, observation.RoleBinding.Guard!, cancellationToken);
                }
            }
        }
        catch (HttpOperationException e) when (ApiError.From(e).NamespaceTerminating)
        {
            // The namespace is being deleted and the binding goes with it: no RoleBinding can be made there, and a status,
            // an event (refused there too) and retries until the binding is gone would only add to the deletion's load.
            LogNamespaceTerminating(key.Namespace!, key.Name);
            return ReconcileResult.Done;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode != HttpStatusCode.Conflict)
        {
            ready = new DesiredCondition(BindingPlanner.ReadyType, ConditionExtensions.False, "ApiError", ApiErrorMessage(e, plan));
            await WriteStatusAsync(binding, ready, plan, cancellationToken);
            throw; // rate-limited retry
        }

        await WriteStatusAsync(binding, ready, plan, cancellationToken);
        return ReconcileResult.Done;
    }

    private BindingObservation Observe(GmsaBinding binding)
    {
        var ns = binding.Metadata.NamespaceProperty;
        var name = binding.Metadata.Name;
        var credSpecName = binding.Spec.CredentialSpecName;
        var credSpec = cache.Get<GmsaCredentialSpec>(new ObjectKey(null, credSpecName));
        var clusterRoleName = GeneratedNames.ClusterRoleFor(credSpecName);
        var clusterRole = cache.Get<V1ClusterRole>(new ObjectKey(null, clusterRoleName));
        var roleBindingName = GeneratedNames.RoleBindingFor(name);
        var roleBinding = cache.Get<V1RoleBinding>(new ObjectKey(ns, roleBindingName));
        var self = new OwnerIdentity(GmsaBinding.ApiGroup, GmsaBinding.EntityKind, name, binding.Metadata.Uid);
        var legacyName = GeneratedNames.LegacyRoleBindingFor(name);
        return new BindingObservation(
            new BindingIdentity(binding.ApiVersion, binding.Kind, ns, name, binding.Metadata.Uid),
            credSpecName,
            [.. binding.Spec.ServiceAccounts],
            credSpec is { Metadata.DeletionTimestamp: null },
            GeneratedOwnership.Classify(clusterRoleName, clusterRole?.Metadata,
                new OwnerIdentity(GmsaCredentialSpec.ApiGroup, GmsaCredentialSpec.EntityKind, credSpecName, credSpec?.Metadata.Uid)),
            GeneratedOwnership.Classify(roleBindingName, roleBinding?.Metadata, self),
            roleBinding?.RoleRef?.Name,
            // Only the listed accounts: a namespace may have thousands, and the service-account cache holds keys only.
            binding.Spec.ServiceAccounts.Where(sa => cache.Get<V1ServiceAccount>(new ObjectKey(ns, sa)) is not null).ToHashSet(StringComparer.Ordinal),
            legacyName is null ? null : GeneratedOwnership.Classify(legacyName, cache.Get<V1RoleBinding>(new ObjectKey(ns, legacyName))?.Metadata, self));
    }

    private async Task WriteStatusAsync(GmsaBinding binding, DesiredCondition ready, BindingPlan plan, CancellationToken cancellationToken)
    {
        var before = binding.Status?.Conditions.FindCondition(BindingPlanner.ReadyType);
        var (beforeStatus, beforeReason) = (before?.Status, before?.Reason);
        var generation = binding.Metadata.Generation;
        bool Converge(GmsaBinding b)
        {
            b.Status ??= new GmsaBindingStatus();
            b.Status.Conditions ??= [];
            var changed = b.Status.Conditions.SetCondition(ready.Type, ready.Status, ready.Reason, ready.Message, generation, time);
            var accounts = plan.ServiceAccountsFound;
            changed |= b.Status.Conditions.SetCondition(accounts.Type, accounts.Status, accounts.Reason, accounts.Message, generation, time);
            var clusterRole = ready.Reason is "CredentialSpecNotFound" ? null : plan.ClusterRoleName;
            var roleBinding = plan.Apply is null ? null : plan.RoleBindingName;
            changed |= b.Status.ObservedGeneration != generation || b.Status.ClusterRoleName != clusterRole || b.Status.RoleBindingName != roleBinding;
            b.Status.ObservedGeneration = generation;
            b.Status.ClusterRoleName = clusterRole;
            b.Status.RoleBindingName = roleBinding;
            return changed;
        }

        // From the cached object: no request when Converge changes nothing, one when the cache is current, a fresh read only on conflict.
        var updated = await writer.UpdateStatusAsync(binding, Converge, cancellationToken);

        if (updated is not null && (beforeStatus != ready.Status || beforeReason != ready.Reason))
        {
            if (ReadyEventPolicy.ShouldRecord(beforeStatus, beforeReason, ready.Status, ready.Reason))
            {
                var bound = ready.Status == ConditionExtensions.True;
                events.Record(updated, bound ? EventTypes.Normal : EventTypes.Warning, ready.Reason, "Bind", ready.Message);
            }
            LogReady(binding.Metadata.NamespaceProperty, binding.Metadata.Name, ready.Status, ready.Reason);
        }
    }

    private static string ApiErrorMessage(HttpOperationException e, BindingPlan plan)
    {
        var what = $"RoleBinding {plan.RoleBindingName}";
        return e.Response.StatusCode switch
        {
            HttpStatusCode.Forbidden => $"The operator is not allowed to write {what} ({Trim(e.Response.Content)}); check its ClusterRole (config/rbac).",
            HttpStatusCode.UnprocessableEntity => $"The API server rejected {what}: {Trim(e.Response.Content)}",
            _ => $"Writing {what} failed with HTTP {(int)e.Response.StatusCode}; retrying.",
        };
    }

    private static string Trim(string? content) => content is null ? "" : content.Length <= 300 ? content : content[..300] + "…";

    [LoggerMessage(LogLevel.Debug, "GmsaBinding {Namespace}/{Name} not applied: its namespace is being deleted")]
    private partial void LogNamespaceTerminating(string @namespace, string name);

    [LoggerMessage(LogLevel.Information, "GmsaBinding {Namespace}/{Name} Ready={Status} ({Reason})")]
    private partial void LogReady(string @namespace, string name, string status, string reason);
}
