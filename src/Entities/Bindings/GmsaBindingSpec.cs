using System.ComponentModel;
using System.Text.Json.Serialization;
using GmsaOperator.Entities.Generation;

namespace GmsaOperator.Entities.Bindings;

/// <summary>Desired state of a <see cref="GmsaBinding"/>.</summary>
[Description("The credential spec and the service accounts allowed to use it.")]
public sealed class GmsaBindingSpec
{
    [JsonPropertyName("credentialSpecName")]
    [Description("Name of the GMSACredentialSpec the service accounts may use.")]
    [Required]
    [Pattern(NamePatterns.Dns1123Subdomain)]
    [Length(Min = 1, Max = NamePatterns.Dns1123SubdomainMaxLength)]
    public string CredentialSpecName { get; set; } = "";

    [JsonPropertyName("serviceAccounts")]
    [Description("Service accounts in the GmsaBinding's namespace that may use the credential spec.")]
    [Required]
    [Items(Min = 1, Max = 256)]
    [ItemPattern(NamePatterns.Dns1123Subdomain, MinLength = 1, MaxLength = NamePatterns.Dns1123SubdomainMaxLength)]
    [ListType("set")]
    public IList<string> ServiceAccounts { get; set; } = [];

    [JsonPropertyName("secureChannelRepair")]
    [Description("Optional: a bounded postStart hook repairing the container's domain secure channel on every start.")]
    public SecureChannelRepairSpec? SecureChannelRepair { get; set; }

    [JsonPropertyName("trackPods")]
    [Description("Label pods using this binding at admission and report in status those running with credential-spec contents that have since changed.")]
    public bool? TrackPods { get; set; }

    [JsonPropertyName("rolloutOnChange")]
    [Description("When the credential spec's contents change, restart the Deployments, StatefulSets and DaemonSets of stale pods (implies trackPods). Bare pods and Jobs are only reported.")]
    public bool? RolloutOnChange { get; set; }
}
