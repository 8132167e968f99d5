using System.Globalization;
using System.Text.Json.Nodes;
using GmsaOperator.Entities.Deployment;
using k8s;
using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>Whether a restart was made, or why not.</summary>
public enum RestartOutcome
{
    Restarted,
    /// <summary>Its pod template already records a restart for this contents hash (by any replica, at any time).</summary>
    AlreadyRestarted,
    /// <summary>Gone, or replaced by another object of the same name.</summary>
    Gone,
}

/// <summary>
/// Restarts a Deployment, StatefulSet or DaemonSet as <c>kubectl rollout restart</c> does, by setting the
/// <c>restartedAt</c> pod-template annotation, and records the contents hash it restarted for next to it. The patch is
/// a merge patch of just those two annotations, guarded by the resourceVersion that was read: nothing else is touched,
/// and a concurrent change makes it fail (409) and be decided again.
/// </summary>
public sealed class WorkloadRestarter(IKubernetes client, TimeProvider time)
{
    public async Task<RestartOutcome> RestartAsync(string @namespace, Workload workload, string contentsHash, CancellationToken cancellationToken)
    {
        var current = await ReadAsync(@namespace, workload, cancellationToken);
        if (current is null || current.Value.Metadata.Uid != workload.Uid) return RestartOutcome.Gone;
        if (current.Value.TemplateAnnotations is { } annotations && annotations.TryGetValue(PodTracking.RestartedForHashAnnotation, out var restartedFor)
            && restartedFor == contentsHash)
        {
            return RestartOutcome.AlreadyRestarted;
        }

        // JsonNode, not an anonymous type: serialising it needs no reflection (NativeAOT).
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = current.Value.Metadata.ResourceVersion },
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject
                        {
                            [PodTracking.RestartedAtAnnotation] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                            [PodTracking.RestartedForHashAnnotation] = contentsHash,
                        },
                    },
                },
            },
        }.ToJsonString();
        var body = new V1Patch(patch, V1Patch.PatchType.MergePatch);
        const string manager = Hosting.OperatorHost.FieldManager;
        _ = workload.Kind switch
        {
            "Deployment" => (object)await client.AppsV1.PatchNamespacedDeploymentAsync(body, workload.Name, @namespace, fieldManager: manager, cancellationToken: cancellationToken),
            "StatefulSet" => await client.AppsV1.PatchNamespacedStatefulSetAsync(body, workload.Name, @namespace, fieldManager: manager, cancellationToken: cancellationToken),
            "DaemonSet" => await client.AppsV1.PatchNamespacedDaemonSetAsync(body, workload.Name, @namespace, fieldManager: manager, cancellationToken: cancellationToken),
            _ => throw new ArgumentException($"{workload.Kind} cannot be restarted.", nameof(workload)),
        };
        return RestartOutcome.Restarted;
    }

    private async Task<(V1ObjectMeta Metadata, IDictionary<string, string>? TemplateAnnotations)?> ReadAsync(string @namespace, Workload workload, CancellationToken cancellationToken)
    {
        try
        {
            return workload.Kind switch
            {
                "Deployment" => await client.AppsV1.ReadNamespacedDeploymentAsync(workload.Name, @namespace, cancellationToken: cancellationToken) is { } d
                    ? (d.Metadata, d.Spec.Template.Metadata?.Annotations) : null,
                "StatefulSet" => await client.AppsV1.ReadNamespacedStatefulSetAsync(workload.Name, @namespace, cancellationToken: cancellationToken) is { } s
                    ? (s.Metadata, s.Spec.Template.Metadata?.Annotations) : null,
                "DaemonSet" => await client.AppsV1.ReadNamespacedDaemonSetAsync(workload.Name, @namespace, cancellationToken: cancellationToken) is { } ds
                    ? (ds.Metadata, ds.Spec.Template.Metadata?.Annotations) : null,
                _ => throw new ArgumentException($"{workload.Kind} cannot be restarted.", nameof(workload)),
            };
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
