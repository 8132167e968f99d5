using System.Text.Json;
using GmsaOperator.Entities.Deployment;
using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>Reads a cached pod into a <see cref="TrackedPod"/> (names, recorded hashes, controller); nothing else of the pod is kept.</summary>
public static class StalePodFacts
{
    // A hashes annotation is small; anything larger is not ours and is treated as unreadable.
    private const int MaxAnnotationLength = 16 * 1024;

    public static TrackedPod Of(V1Pod pod)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Add(V1WindowsSecurityContextOptions? options)
        {
            if (options?.GmsaCredentialSpecName is { Length: > 0 } name) names.Add(name);
        }
        Add(pod.Spec?.SecurityContext?.WindowsOptions);
        foreach (var c in pod.Spec?.Containers ?? []) Add(c.SecurityContext?.WindowsOptions);
        foreach (var c in pod.Spec?.InitContainers ?? []) Add(c.SecurityContext?.WindowsOptions);
        foreach (var c in pod.Spec?.EphemeralContainers ?? []) Add(c.SecurityContext?.WindowsOptions);
        var serviceAccount = pod.Spec?.ServiceAccountName is { Length: > 0 } sa ? sa : "default";
        var gone = pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed";
        return new TrackedPod(pod.Metadata.Name, pod.Metadata.Uid ?? "", serviceAccount, names, Hashes(pod.Metadata.Annotations), Controller(pod.Metadata), gone);
    }

    public static OwnerRef? Controller(V1ObjectMeta metadata) =>
        metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { } o ? new OwnerRef(o.ApiVersion, o.Kind, o.Name, o.Uid) : null;

    /// <summary>The hashes annotation as a map; null when absent or not a JSON object of strings.</summary>
    public static IReadOnlyDictionary<string, string>? Hashes(IDictionary<string, string>? annotations)
    {
        if (annotations?.TryGetValue(PodTracking.HashesAnnotation, out var text) != true || text is null || text.Length > MaxAnnotationLength) return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String) return null;
                hashes[property.Name] = property.Value.GetString()!;
            }
            return hashes;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
