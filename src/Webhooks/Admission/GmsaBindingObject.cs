using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>The GmsaBinding fields admission reads (the entity type lives in GmsaOperator.Entities).</summary>
public sealed class GmsaBindingObject
{
    [JsonPropertyName("metadata")] public PodMetadata? Metadata { get; set; }
    [JsonPropertyName("spec")] public GmsaBindingSpecFields? Spec { get; set; }

    /// <summary>Service-account names; accepts plain strings and <c>{"name": …}</c> objects.</summary>
    public IReadOnlyList<string> ServiceAccountNames =>
        Spec?.ServiceAccounts?.Select(e => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Object when e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String => n.GetString(),
            _ => null,
        }).OfType<string>().ToList() ?? [];
}

/// <summary><c>spec</c> of a GmsaBinding.</summary>
public sealed class GmsaBindingSpecFields
{
    [JsonPropertyName("credentialSpecName")] public string? CredentialSpecName { get; set; }
    [JsonPropertyName("serviceAccounts")] public List<JsonElement>? ServiceAccounts { get; set; }
    [JsonPropertyName("rolloutOnChange")] public bool? RolloutOnChange { get; set; }
}
