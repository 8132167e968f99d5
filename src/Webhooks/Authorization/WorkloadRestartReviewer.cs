using GmsaOperator.Entities.Rbac;
using k8s;
using k8s.Models;

namespace GmsaOperator.Webhooks.Authorization;

/// <summary>Asks the API server whether a subject may restart a namespace's Deployments, StatefulSets and DaemonSets.</summary>
public interface IWorkloadRestartReviewer
{
    /// <summary>Allowed only when every one of <see cref="WorkloadRestartReviewer.Resources"/> may be patched; otherwise the first refusal.</summary>
    ValueTask<WorkloadRestartDecision> CanRestartWorkloadsAsync(AccessSubject subject, string @namespace, CancellationToken cancellationToken);
}

/// <summary>A decision; <see cref="Resource"/> names the first resource refused (null when allowed).</summary>
public readonly record struct WorkloadRestartDecision(bool Allowed, string? Resource, string Reason);

/// <summary>
/// Three LocalSubjectAccessReviews (verb <c>patch</c> on <c>deployments</c>, <c>statefulsets</c> and <c>daemonsets</c> of
/// group <c>apps</c>), because what the operator restarts for a GmsaBinding with <c>rolloutOnChange</c> is exactly
/// what <c>kubectl rollout restart</c> needs. Not cached: binding writes are rare. A failed review is a refusal.
/// </summary>
[RequiresPermission("authorization.k8s.io", "localsubjectaccessreviews", "create", Reason = "may a GmsaBinding's author restart the workloads rolloutOnChange restarts")]
public sealed class WorkloadRestartReviewer(IKubernetes client) : IWorkloadRestartReviewer
{
    public static readonly IReadOnlyList<string> Resources = ["deployments", "statefulsets", "daemonsets"];

    public async ValueTask<WorkloadRestartDecision> CanRestartWorkloadsAsync(AccessSubject subject, string @namespace, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(Resources.Select(r => ReviewAsync(subject, @namespace, r, cancellationToken))).ConfigureAwait(false);
        foreach (var (resource, decision) in Resources.Zip(answers))
        {
            if (!decision.Allowed) return new WorkloadRestartDecision(false, resource, decision.Reason);
        }
        return new WorkloadRestartDecision(true, null, "");
    }

    private Task<AccessDecision> ReviewAsync(AccessSubject subject, string @namespace, string resource, CancellationToken cancellationToken) =>
        LocalAccessReview.SendAsync(client, BuildReview(subject, @namespace, resource), cancellationToken);

    public static V1LocalSubjectAccessReview BuildReview(AccessSubject subject, string @namespace, string resource) =>
        LocalAccessReview.Build(subject, @namespace, new V1ResourceAttributes { NamespaceProperty = @namespace, Verb = "patch", Group = "apps", Resource = resource });
}
