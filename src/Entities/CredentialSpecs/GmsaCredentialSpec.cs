using System.ComponentModel;
using System.Text.Json.Serialization;
using GmsaOperator.Entities.Generation;
using k8s;
using k8s.Models;

namespace GmsaOperator.Entities.CredentialSpecs;

/// <summary>
/// The upstream <c>GMSACredentialSpec</c> (kubernetes-sigs/windows-gmsa): a cluster-scoped object whose top-level
/// <c>credspec</c> holds the credential spec JSON a Windows container runtime needs. The schema is exactly upstream's,
/// so objects written with the upstream CRD stay valid; only printer columns are added.
/// </summary>
[KubernetesEntity(Group = ApiGroup, ApiVersion = StorageVersion, Kind = EntityKind, PluralName = Plural)]
[Scope(EntityScope.Cluster)]
[ServedVersion("v1alpha1", Deprecated = true)]
[CrdAnnotation("api-approved.kubernetes.io", "https://github.com/kubernetes/enhancements/tree/master/keps/sig-windows/689-windows-gmsa")]
[PrinterColumn("Account", "string", ".credspec.DomainJoinConfig.MachineAccountName", Description = "The GMSA account name")]
[PrinterColumn("Domain", "string", ".credspec.DomainJoinConfig.DnsName", Description = "The DNS name of the domain")]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class GmsaCredentialSpec : IKubernetesObject<V1ObjectMeta>
{
    public const string ApiGroup = "windows.k8s.io";
    public const string StorageVersion = "v1";
    public const string EntityKind = "GMSACredentialSpec";
    public const string Plural = "gmsacredentialspecs";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{ApiGroup}/{StorageVersion}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = EntityKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The credential spec document; lower-case <c>credspec</c> as upstream (not <c>credSpec</c>).</summary>
    [JsonPropertyName("credspec")]
    [Description("GMSA Credential Spec")]
    public CredentialSpecDocument? CredSpec { get; set; }
}
