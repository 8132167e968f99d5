using System.Text.Json.Serialization;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>The few pod fields admission reads; everything else in the pod is ignored (and never logged).</summary>
public sealed class PodObject
{
    [JsonPropertyName("metadata")] public PodMetadata? Metadata { get; set; }
    [JsonPropertyName("spec")] public PodSpecFields? Spec { get; set; }

    /// <summary>
    /// The service account the pod runs as, for lookups of the bindings granting it: the ServiceAccount admission
    /// plugin runs before webhooks and fills the field in, and "default" is its own default. (The validator's access
    /// review keeps upstream's behaviour and uses the field as sent.)
    /// </summary>
    [JsonIgnore] public string ServiceAccount => string.IsNullOrEmpty(Spec?.ServiceAccountName) ? "default" : Spec.ServiceAccountName;
}

/// <summary>Pod metadata fields used in messages.</summary>
public sealed class PodMetadata
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>Pod spec fields used by GMSA admission.</summary>
public sealed class PodSpecFields
{
    [JsonPropertyName("serviceAccountName")] public string? ServiceAccountName { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("securityContext")] public SecurityContextFields? SecurityContext { get; set; }
    [JsonPropertyName("containers")] public List<ContainerFields>? Containers { get; set; }
    [JsonPropertyName("initContainers")] public List<ContainerFields>? InitContainers { get; set; }
    [JsonPropertyName("ephemeralContainers")] public List<ContainerFields>? EphemeralContainers { get; set; }
}

/// <summary>A container (regular, init or ephemeral): its name, security context and lifecycle hooks.</summary>
public sealed class ContainerFields
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("securityContext")] public SecurityContextFields? SecurityContext { get; set; }
    [JsonPropertyName("lifecycle")] public LifecycleFields? Lifecycle { get; set; }
}

/// <summary>A container's <c>lifecycle</c>: whether it has a postStart hook, and that hook's exec command.</summary>
public sealed class LifecycleFields
{
    [JsonPropertyName("postStart")] public LifecycleHandlerFields? PostStart { get; set; }
}

/// <summary>A lifecycle handler; only <c>exec.command</c> is read (to recognise the secure-channel repair hook).</summary>
public sealed class LifecycleHandlerFields
{
    [JsonPropertyName("exec")] public ExecActionFields? Exec { get; set; }
}

/// <summary><c>exec</c> of a lifecycle handler.</summary>
public sealed class ExecActionFields
{
    [JsonPropertyName("command")] public List<string>? Command { get; set; }
}

/// <summary>Pod or container security context.</summary>
public sealed class SecurityContextFields
{
    [JsonPropertyName("windowsOptions")] public WindowsOptionsFields? WindowsOptions { get; set; }
}

/// <summary><c>windowsOptions</c>: the GMSA name and inlined contents (null and "" are different).</summary>
public sealed class WindowsOptionsFields
{
    [JsonPropertyName("gmsaCredentialSpecName")] public string? GmsaCredentialSpecName { get; set; }
    [JsonPropertyName("gmsaCredentialSpec")] public string? GmsaCredentialSpec { get; set; }
}
