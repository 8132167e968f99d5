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

    /// <summary>Index of bindings by namespace (service-account events map to every binding there).</summary>
    public const string ByNamespace = "namespace";

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var binding = cache.Get<GmsaBinding>(key);
        if (binding is null || binding.Metadata.DeletionTimestamp is not null)
        {
            // Revoke at once rather than wait for the garbage collector (which stays the backstop via the ownerReference).
            var generated = new ObjectKey(key.Namespace, GeneratedNames.RoleBindingFor(key.Name));
            if (cache.Get<V1RoleBinding>(generated) is { } orphan && ManagedLabels.IsOwnedBy(orphan.Metadata, GmsaBinding.EntityKind, key.Name))
            {
                await writer.DeleteAsync<V1RoleBinding>(generated, cancellationToken);
            }
            return ReconcileResult.Done;
        }

        var observation = Observe(binding);
        var plan = BindingPlanner.Plan(observation);
        var ready = plan.Ready;
        try
        {
            if (plan.DeleteRoleBinding)
            {
                await writer.DeleteAsync<V1RoleBinding>(new ObjectKey(key.Namespace, plan.RoleBindingName), cancellationToken);
            }
            var observed = plan.DeleteRoleBinding ? null : cache.Get<V1RoleBinding>(new ObjectKey(key.Namespace, plan.RoleBindingName));
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
                    await writer.ApplyAsync(plan.Apply, cancellationToken);
                }
            }
        }
        catch (HttpOperationException e)
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
        var credSpecName = binding.Spec.CredentialSpecName;
        var clusterRole = cache.Get<V1ClusterRole>(new ObjectKey(null, GeneratedNames.ClusterRoleFor(credSpecName)));
        var roleBinding = cache.Get<V1RoleBinding>(new ObjectKey(ns, GeneratedNames.RoleBindingFor(binding.Metadata.Name)));
        return new BindingObservation(
            new BindingIdentity(binding.ApiVersion, binding.Kind, ns, binding.Metadata.Name, binding.Metadata.Uid),
            credSpecName,
            [.. binding.Spec.ServiceAccounts],
            cache.Get<GmsaCredentialSpec>(new ObjectKey(null, credSpecName)) is { Metadata.DeletionTimestamp: null },
            StateOf(clusterRole?.Metadata),
            StateOf(roleBinding?.Metadata),
            roleBinding?.RoleRef?.Name,
            cache.List<V1ServiceAccount>(ns).Select(sa => sa.Metadata.Name).ToHashSet(StringComparer.Ordinal));
    }

    private static GeneratedObjectState StateOf(V1ObjectMeta? metadata) =>
        metadata is null ? GeneratedObjectState.Missing
        : ManagedLabels.IsManaged(metadata.Labels) ? GeneratedObjectState.Managed
        : GeneratedObjectState.Unmanaged;

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

        // Decide on a copy of the cached object first: an unchanged status costs no API call at all.
        if (!Converge(KubernetesJson.Deserialize<GmsaBinding>(KubernetesJson.Serialize(binding))))
        {
            return;
        }
        // From the cached object: one request when the cache is current, a fresh read only on conflict.
        var updated = await writer.UpdateStatusAsync(binding, Converge, cancellationToken);

        if (updated is not null && (beforeStatus != ready.Status || beforeReason != ready.Reason))
        {
            var bound = ready.Status == ConditionExtensions.True;
            events.Record(updated, bound ? EventTypes.Normal : EventTypes.Warning, ready.Reason, "Bind", ready.Message);
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

    [LoggerMessage(LogLevel.Information, "GmsaBinding {Namespace}/{Name} Ready={Status} ({Reason})")]
    private partial void LogReady(string @namespace, string name, string status, string reason);
}
