using System.Net;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Conditions;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Events;
using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.Queue;
using GmsaOperator.Runtime.Writes;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.CredentialSpecs;
using GmsaOperator.Webhooks.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>
/// For GmsaBindings that track pods: counts and names the pods running with old contents of the credential spec
/// (status <c>stalePods</c>, condition <c>PodsCurrent</c>), warns on their workloads once per contents hash, and with
/// <c>rolloutOnChange</c> restarts those workloads, a few at a time.
/// </summary>
[RequiresPermission("", "pods", "get", "list", "watch", Reason = "only pods labelled gmsa.dev/tracked=true are listed and watched")]
[RequiresPermission("apps", "replicasets", "get", Reason = "find the Deployment of a stale pod")]
[RequiresPermission("apps", "deployments", "get", "patch", Reason = "rolloutOnChange: restart like kubectl rollout restart")]
[RequiresPermission("apps", "statefulsets", "get", "patch", Reason = "rolloutOnChange: restart like kubectl rollout restart")]
[RequiresPermission("apps", "daemonsets", "get", "patch", Reason = "rolloutOnChange: restart like kubectl rollout restart")]
public sealed partial class StalePodReconciler(
    IObjectCache cache, IObjectWriter writer, ICredentialSpecCache credentialSpecs, WorkloadResolver workloads, WorkloadRestarter restarter,
    RolloutGate gate, OnceMemory warned, StalePodMetrics metrics, IEventRecorder events, TimeProvider time, ILogger<StalePodReconciler> logger) : IReconciler
{
    public const string ControllerName = "gmsabinding-pods";

    /// <summary>The only pods the operator caches.</summary>
    public static InformerScope PodScope { get; } = new(LabelSelector: PodTracking.Selector);

    /// <summary>While restarts wait for a slot, look again this often.</summary>
    private static readonly TimeSpan WaitForSlot = TimeSpan.FromSeconds(5);

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var binding = cache.Get<GmsaBinding>(key);
        if (binding is null || binding.Metadata.DeletionTimestamp is not null || !binding.Spec.TracksPods())
        {
            metrics.StalePods.RemoveLabelled(binding?.Spec.CredentialSpecName ?? "", key.Namespace ?? "", key.Name);
            gate.Settle(key, new HashSet<string>());
            if (binding is { Metadata.DeletionTimestamp: null }) await WriteStatusAsync(binding, StalePodPlanner.Plan(Observation(binding, null, [], 0)), cancellationToken);
            return ReconcileResult.Done;
        }

        var ns = binding.Metadata.NamespaceProperty;
        var credSpec = binding.Spec.CredentialSpecName;
        var hash = CurrentHash(credSpec);
        var stale = new List<StalePod>();
        if (hash is not null)
        {
            var pods = cache.List<V1Pod>(PodScope, ns).Select(StalePodFacts.Of);
            foreach (var pod in StalePodPlanner.FindStale(credSpec, binding.Spec.ServiceAccounts.ToHashSet(StringComparer.Ordinal), hash, pods))
            {
                stale.Add(new StalePod(pod.Name, await workloads.ResolveAsync(ns, pod.Name, pod.Uid, pod.Owner, cancellationToken)));
            }
        }
        gate.Settle(key, stale.Select(p => p.Workload.Uid).ToHashSet(StringComparer.Ordinal));
        var plan = StalePodPlanner.Plan(Observation(binding, hash, stale, binding.Spec.RollsOutOnChange() ? gate.FreeSlots() : 0));
        metrics.StalePods.WithLabels(credSpec, ns, key.Name).Set(plan.StalePods ?? 0);

        foreach (var workload in plan.StaleWorkloads)
        {
            if (!warned.First($"stale/{workload.Uid}/{hash}")) continue;
            events.Record(new WorkloadReference(workload, ns), EventTypes.Warning, "StaleGmsaContents", "Track",
                $"Pods of this {workload.Kind} run with old contents of GMSACredentialSpec {credSpec} (GmsaBinding {key.Name}); restart it to pick up the current contents.");
        }
        foreach (var workload in plan.NotRestartable)
        {
            if (!warned.First($"manual/{workload.Uid}/{hash}")) continue;
            events.Record(binding, EventTypes.Warning, "NotRestartable", "Rollout",
                $"{workload.Display} runs with old contents of GMSACredentialSpec {credSpec} and is not restarted by rolloutOnChange (bare pods and Jobs never are); recreate it by hand.");
        }

        var waiting = false;
        foreach (var workload in plan.Restart)
        {
            waiting |= !await RestartAsync(binding, workload, hash!, cancellationToken);
        }
        await WriteStatusAsync(binding, plan, cancellationToken);
        var starved = binding.Spec.RollsOutOnChange() && plan.StaleWorkloads.Count(w => w.Restartable) > plan.Restart.Count;
        return waiting || starved ? ReconcileResult.After(WaitForSlot) : ReconcileResult.Done;
    }

    private static StalePodObservation Observation(GmsaBinding binding, string? hash, IReadOnlyList<StalePod> stale, int slots) =>
        new(binding.Spec.TracksPods(), binding.Spec.RollsOutOnChange(), binding.Spec.CredentialSpecName, hash, stale, slots);

    /// <summary>The hash of the contents the mutating webhook would write now: same cache, same canonical rendering.</summary>
    private string? CurrentHash(string credentialSpecName) =>
        credentialSpecs.TryGet(credentialSpecName, out var resource) && CredentialSpecResolver.Canonicalize(credentialSpecName, resource).Contents is { } contents
            ? ContentsHash.Of(contents)
            : null;

    /// <summary>False when the restart must be tried again (a concurrent change of the workload).</summary>
    private async Task<bool> RestartAsync(GmsaBinding binding, Workload workload, string hash, CancellationToken cancellationToken)
    {
        var ns = binding.Metadata.NamespaceProperty;
        RestartOutcome outcome;
        try
        {
            outcome = await restarter.RestartAsync(ns, workload, hash, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
        catch (HttpOperationException e)
        {
            // Refused (RBAC, admission, validation): say so once per contents change rather than retry in a loop.
            if (warned.First($"failed/{workload.Uid}/{hash}"))
            {
                events.Record(binding, EventTypes.Warning, "RestartFailed", "Rollout",
                    $"Restarting {workload.Display} failed with HTTP {(int)e.Response.StatusCode}; restart it by hand (kubectl rollout restart).");
                LogRestartFailed(ns, workload.Kind, workload.Name, (int)e.Response.StatusCode);
            }
            return true;
        }
        if (outcome == RestartOutcome.Gone) return true;
        // Restarted now or earlier (another replica, before a restart of the operator): rolling either way, so it holds a slot.
        gate.Started(ObjectKey.Of(binding), workload.Uid);
        if (outcome == RestartOutcome.Restarted)
        {
            metrics.RolloutsStarted.WithLabels(binding.Spec.CredentialSpecName, workload.Kind).Inc();
            var note = $"Restarted because the contents of GMSACredentialSpec {binding.Spec.CredentialSpecName} changed (GmsaBinding {binding.Metadata.Name}, rolloutOnChange).";
            events.Record(new WorkloadReference(workload, ns), EventTypes.Normal, "RolloutRestarted", "Restart", note);
            events.Record(binding, EventTypes.Normal, "RolloutRestarted", "Restart", $"Restarted {workload.Display}: its pods ran with old contents of GMSACredentialSpec {binding.Spec.CredentialSpecName}.");
            LogRestarted(ns, workload.Kind, workload.Name, binding.Metadata.Name);
        }
        return true;
    }

    private async Task WriteStatusAsync(GmsaBinding binding, StalePodPlan plan, CancellationToken cancellationToken)
    {
        var generation = binding.Metadata.Generation;
        bool Converge(GmsaBinding b)
        {
            b.Status ??= new GmsaBindingStatus();
            var changed = b.Status.StalePods != plan.StalePods;
            b.Status.StalePods = plan.StalePods;
            if (plan.Condition is { } c)
            {
                b.Status.Conditions ??= [];
                changed |= b.Status.Conditions.SetCondition(c.Type, c.Status, c.Reason, c.Message, generation, time);
            }
            else if (b.Status.Conditions?.FindCondition(StalePodPlanner.PodsCurrentType) is { } old)
            {
                b.Status.Conditions.Remove(old);
                changed = true;
            }
            return changed;
        }
        // UpdateStatusAsync decides on a copy of the cached object: an unchanged status costs no API call.
        var before = binding.Status?.StalePods ?? 0;
        if (await writer.UpdateStatusAsync(binding, Converge, cancellationToken) is not null && before != (plan.StalePods ?? 0))
        {
            LogStale(binding.Metadata.NamespaceProperty, binding.Metadata.Name, plan.StalePods ?? 0);
        }
    }

    [LoggerMessage(LogLevel.Information, "Restarted {Kind} {Namespace}/{Name}: its pods ran with old GMSA contents (GmsaBinding {Binding})")]
    private partial void LogRestarted(string @namespace, string kind, string name, string binding);

    [LoggerMessage(LogLevel.Warning, "Restarting {Kind} {Namespace}/{Name} failed with HTTP {Status}")]
    private partial void LogRestartFailed(string @namespace, string kind, string name, int status);

    [LoggerMessage(LogLevel.Information, "GmsaBinding {Namespace}/{Name}: {StalePods} stale pods")]
    private partial void LogStale(string @namespace, string name, int stalePods);
}
