using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Queue;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Whether this replica leads (the runtime's leader election), as the certificate controller asks it.</summary>
public sealed record CertificateLeadership(Func<bool> IsLeader);

/// <summary>
/// The webhook certificate controller's reconcile: one fixed key for both Secrets and the managed webhook
/// configurations, run on every replica. Reads them from the informer caches, plans (<see cref="RotationPlanner"/>,
/// intents only), feeds the serving store (<see cref="CertificateObserver"/>), keeps the actions this replica should
/// carry out (<see cref="CertificateActionPolicy"/>, caBundle repairs backing off) and executes them
/// (<see cref="CertificateExecutor"/>). Returns when to look again: the plan's next due time, a non-leader's wait, the
/// end of a repair backoff, and at least every <see cref="CertificateSettings.CheckInterval"/> (cheap: no API calls).
/// </summary>
/// <remarks>Names follow <see cref="CertificateSettings"/>; the declared names are the defaults (prefix <c>gmsa-operator</c>).</remarks>
[RequiresPermission("", "secrets", "create", Scope = PermissionScope.OperatorNamespace, Reason = "create cannot be restricted by name")]
[RequiresPermission("", "secrets", "get", "list", "watch", "update", Scope = PermissionScope.OperatorNamespace,
    ResourceNames = [OperatorDeployment.CaSecretName, OperatorDeployment.ServingSecretName],
    Reason = "read and replace (resourceVersion precondition) the CA and serving Secrets; list/watch with a metadata.name field selector")]
[RequiresPermission("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get", "list", "watch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "observe caBundles (list/watch with a metadata.name field selector)")]
[RequiresPermission("admissionregistration.k8s.io", "validatingwebhookconfigurations", "get", "list", "watch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "observe caBundles (list/watch with a metadata.name field selector)")]
[RequiresPermission("events.k8s.io", "events", "create", "patch",
    Reason = "Warning events on repaired caBundles; the webhook configurations are cluster-scoped, so their events go to namespace default (kube-system before 1.21)")]
public sealed partial class CertificateReconciler(CertificateSettings settings, CertificateCache cache, CertificateState state, CertificateObserver observer,
    CertificateExecutor executor, CaBundleRepairs repairs, CertificateMetrics metrics, CertificateLeadership leadership, TimeProvider time,
    ILogger<CertificateReconciler> logger) : IReconciler
{
    public const string ControllerName = "webhook-certificates";

    /// <summary>The one key every watched change queues.</summary>
    public static readonly ObjectKey Key = new(null, "certificates");

    /// <summary>The shortest wait before looking again, so that a plan due "now" without anything to do never spins.</summary>
    private static readonly TimeSpan MinimumRecheck = CertificateActionPolicy.LeadershipPoll;

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (inputs, versions) = cache.Read(state.LastGood, now);
        // Our last writes are not in the cache yet: their watch events queue the key again (or the wait ends).
        if (state.Expectations.WaitUntil(versions, now) is { } caughtUp) return After(caughtUp, now);

        var plan = new RotationPlanner(settings).Plan(inputs);
        observer.Observe(inputs, plan);
        var decision = CertificateActionPolicy.Decide(plan, leadership.IsLeader(), now, state.Policy, settings, () => CertificateActionPolicy.RandomJitter(settings));
        state.Policy = decision.State;
        if (decision.NonLeaderReason is { } why) LogNonLeaderActing(logger, why);
        var actions = repairs.WithoutDeferred(decision.Actions, now, out var deferredUntil);

        var completed = actions.Count == 0 || await executor.ExecuteAsync(plan, actions, versions, cancellationToken).ConfigureAwait(false);
        state.CountReconcile();
        if (!completed)
        {
            // Lost a race (409) or the published bundle moved: decide again from a fresh read, after a growing delay.
            metrics.WriteConflicts.Inc();
            return ReconcileResult.Requeue;
        }
        var next = Earliest(plan.NextCheckAt, now + settings.CheckInterval, decision.RecheckAt, deferredUntil);
        return After(next, now);
    }

    private static ReconcileResult After(DateTimeOffset at, DateTimeOffset now) => ReconcileResult.After(at - now > MinimumRecheck ? at - now : MinimumRecheck);

    private static DateTimeOffset Earliest(DateTimeOffset first, params DateTimeOffset?[] others) =>
        others.Aggregate(first, (earliest, other) => other is { } o && o < earliest ? o : earliest);

    [LoggerMessage(Level = LogLevel.Information, Message = "not leader, acting on {Why} certificate actions")]
    private static partial void LogNonLeaderActing(ILogger logger, string why);
}
