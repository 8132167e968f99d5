using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmsaOperator.Webhooks.Json;

/// <summary><c>admission.k8s.io/v1</c> AdmissionReview (KubernetesClient has no admission models).</summary>
public sealed class AdmissionReview
{
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("request")] public AdmissionRequest? Request { get; set; }
    [JsonPropertyName("response")] public AdmissionResponse? Response { get; set; }

    public static AdmissionReview ForResponse(AdmissionResponse response) =>
        new() { Kind = "AdmissionReview", ApiVersion = "admission.k8s.io/v1", Response = response };
}

/// <summary>The request half of an AdmissionReview; objects stay raw JSON until a handler decodes them.</summary>
public sealed class AdmissionRequest
{
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("kind")] public GroupVersionKind? Kind { get; set; }
    [JsonPropertyName("resource")] public GroupVersionResource? Resource { get; set; }
    [JsonPropertyName("subResource")] public string? SubResource { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("operation")] public string? Operation { get; set; }
    [JsonPropertyName("userInfo")] public AdmissionUserInfo? UserInfo { get; set; }
    [JsonPropertyName("object")] public RawJson? RawObject { get; set; }
    [JsonPropertyName("oldObject")] public RawJson? RawOldObject { get; set; }

    /// <summary><see cref="RawObject"/> as a DOM (parsed on first use).</summary>
    [JsonIgnore]
    public JsonElement? Object
    {
        get => RawObject?.Element;
        set => RawObject = RawJson.OfValue(value);
    }

    /// <summary><see cref="RawOldObject"/> as a DOM (parsed on first use).</summary>
    [JsonIgnore]
    public JsonElement? OldObject
    {
        get => RawOldObject?.Element;
        set => RawOldObject = RawJson.OfValue(value);
    }
    [JsonPropertyName("dryRun")] public bool? DryRun { get; set; }
}

/// <summary>group/version/kind of the admitted object.</summary>
public sealed class GroupVersionKind
{
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
}

/// <summary>group/version/resource of the admitted object.</summary>
public sealed class GroupVersionResource
{
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("resource")] public string? Resource { get; set; }
}

/// <summary>The authenticated user who sent the request.</summary>
public sealed class AdmissionUserInfo
{
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("groups")] public List<string>? Groups { get; set; }
    [JsonPropertyName("extra")] public Dictionary<string, List<string>>? Extra { get; set; }
}

/// <summary>The response half; property order matches Go's AdmissionResponse (uid, allowed, status, patch, patchType, warnings).</summary>
public sealed class AdmissionResponse
{
    [JsonPropertyName("uid")] public string Uid { get; set; } = "";
    [JsonPropertyName("allowed")] public bool Allowed { get; set; }
    [JsonPropertyName("status")] public AdmissionStatus? Status { get; set; }
    /// <summary>Written as base64, as Go marshals <c>[]byte</c> (System.Text.Json encodes a byte array the same way, with no string in between).</summary>
    [JsonPropertyName("patch")] public byte[]? Patch { get; set; }
    [JsonPropertyName("patchType")] public string? PatchType { get; set; }
    [JsonPropertyName("warnings")] public List<string>? Warnings { get; set; }
}

/// <summary>metav1.Status as upstream emits it: <c>{"metadata":{},"message":…,"code":…}</c>.</summary>
public sealed class AdmissionStatus
{
    [JsonPropertyName("metadata")] public EmptyObject Metadata { get; set; } = new();
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("code")] public int Code { get; set; }
}

/// <summary>Serialises as <c>{}</c>.</summary>
public sealed class EmptyObject;
