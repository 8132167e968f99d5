using System.ComponentModel;
using System.Text.Json.Serialization;
using GmsaOperator.Entities.Generation;
using k8s.Models;

namespace GmsaOperator.Entities.Bindings;

/// <summary>Observed state of a <see cref="GmsaBinding"/>, written by the operator through <c>/status</c>.</summary>
[Description("Observed state of the GmsaBinding, written by the operator.")]
public sealed class GmsaBindingStatus
{
    [JsonPropertyName("observedGeneration")]
    [Description("The metadata.generation the status was computed for.")]
    [Format("int64")]
    [Minimum(0)]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    [Description("Standard conditions; Ready summarises whether the service accounts may use the credential spec.")]
    [ListType("map", "type")]
    public IList<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("clusterRoleName")]
    [Description("The ClusterRole granting use of the credential spec.")]
    public string? ClusterRoleName { get; set; }

    [JsonPropertyName("roleBindingName")]
    [Description("The RoleBinding in this namespace binding the service accounts to that ClusterRole.")]
    public string? RoleBindingName { get; set; }

    [JsonPropertyName("stalePods")]
    [Description("Tracked pods of the service accounts running with contents that differ from the credential spec's current contents.")]
    [Format("int32")]
    [Minimum(0)]
    public int? StalePods { get; set; }
}
