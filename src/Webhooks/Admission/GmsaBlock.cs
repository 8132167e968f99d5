namespace GmsaOperator.Webhooks.Admission;

/// <summary>Where a <c>windowsOptions</c> block sits in a pod; <see cref="Text"/> is the upstream kind text used in messages.</summary>
public enum GmsaBlockKind
{
    Pod,
    Container,
    InitContainer,
    EphemeralContainer,
}

/// <summary>One <c>windowsOptions</c> block of a pod (pod level or one container of any kind).</summary>
/// <param name="Present">False when the block has no <c>windowsOptions</c> at all (only used by the UPDATE comparison).</param>
public sealed record GmsaBlock(GmsaBlockKind Kind, string ResourceName, int Index, string? Name, string? Contents, bool Present)
{
    public string KindText => Kind switch
    {
        GmsaBlockKind.Pod => "pod",
        GmsaBlockKind.Container => "container",
        GmsaBlockKind.InitContainer => "initContainer",
        _ => "ephemeralContainer",
    };

    /// <summary>JSON-patch path of this block's <c>gmsaCredentialSpec</c> (upstream shape).</summary>
    public string ContentsPatchPath => Kind switch
    {
        GmsaBlockKind.Pod => "/spec/securityContext/windowsOptions/gmsaCredentialSpec",
        GmsaBlockKind.Container => $"/spec/containers/{Index}/securityContext/windowsOptions/gmsaCredentialSpec",
        GmsaBlockKind.InitContainer => $"/spec/initContainers/{Index}/securityContext/windowsOptions/gmsaCredentialSpec",
        _ => $"/spec/ephemeralContainers/{Index}/securityContext/windowsOptions/gmsaCredentialSpec",
    };

    /// <summary>
    /// The visited blocks in upstream order: pod, containers, then init containers, then
    /// ephemeral containers, as upstream visits them. With <paramref name="includeAbsent"/>, containers without
    /// <c>windowsOptions</c> are returned too (marked not present), so UPDATE can see a removed block.
    /// </summary>
    public static IEnumerable<GmsaBlock> Enumerate(PodObject pod, bool includeAbsent = false)
    {
        var spec = pod.Spec;
        if (spec is null) yield break;
        var podOptions = spec.SecurityContext?.WindowsOptions;
        if (podOptions is not null || includeAbsent)
        {
            yield return new GmsaBlock(GmsaBlockKind.Pod, pod.Metadata?.Name ?? "", 0, podOptions?.GmsaCredentialSpecName, podOptions?.GmsaCredentialSpec, podOptions is not null);
        }
        foreach (var block in Containers(spec.Containers, GmsaBlockKind.Container, includeAbsent)) yield return block;
        foreach (var block in Containers(spec.InitContainers, GmsaBlockKind.InitContainer, includeAbsent)) yield return block;
        foreach (var block in Containers(spec.EphemeralContainers, GmsaBlockKind.EphemeralContainer, includeAbsent)) yield return block;
    }

    private static IEnumerable<GmsaBlock> Containers(List<ContainerFields>? containers, GmsaBlockKind kind, bool includeAbsent)
    {
        if (containers is null) yield break;
        for (var i = 0; i < containers.Count; i++)
        {
            var options = containers[i].SecurityContext?.WindowsOptions;
            if (options is null && !includeAbsent) continue;
            yield return new GmsaBlock(kind, containers[i].Name ?? "", i, options?.GmsaCredentialSpecName, options?.GmsaCredentialSpec, options is not null);
        }
    }
}
