using System.ComponentModel;
using System.Text.Json.Serialization;
using GmsaOperator.Entities.Generation;
using k8s;
using k8s.Models;

namespace GmsaOperator.Entities.Bindings;

/// <summary>"These service accounts in this namespace may use that GMSACredentialSpec."</summary>
[KubernetesEntity(Group = ApiGroup, ApiVersion = Version, Kind = EntityKind, PluralName = Plural)]
[Scope(EntityScope.Namespaced)]
[ShortNames("gmsab")]
[StatusSubresource]
[Description("GmsaBinding lets the listed service accounts of its namespace use a GMSACredentialSpec.")]
[PrinterColumn("CredentialSpec", "string", ".spec.credentialSpecName")]
[PrinterColumn("ServiceAccounts", "string", ".spec.serviceAccounts")]
[PrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status")]
[PrinterColumn("Reason", "string", ".status.conditions[?(@.type==\"Ready\")].reason")]
[PrinterColumn("StalePods", "integer", ".status.stalePods")]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class GmsaBinding : IKubernetesObject<V1ObjectMeta>, ISpec<GmsaBindingSpec>, IStatus<GmsaBindingStatus?>
{
    public const string ApiGroup = "gmsa.dev";
    public const string Version = "v1alpha1";
    public const string EntityKind = "GmsaBinding";
    public const string Plural = "gmsabindings";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{ApiGroup}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = EntityKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    [Required]
    public GmsaBindingSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public GmsaBindingStatus? Status { get; set; }
}
