using k8s.Models;

namespace GmsaOperator.Entities.Generation;

/// <summary>Schemas of Kubernetes library types used inside our entities, as controller-gen writes them.</summary>
internal static class WellKnownSchemas
{
    public static V1JSONSchemaProps? For(Type type) =>
        type == typeof(V1Condition) ? Condition() : type == typeof(V1ObjectMeta) ? new V1JSONSchemaProps { Type = "object" } : null;

    /// <summary>The standard <c>metav1.Condition</c> shape, validated by the API server.</summary>
    private static V1JSONSchemaProps Condition() => new()
    {
        Type = "object",
        Description = "Condition contains details for one aspect of the current state of this API Resource.",
        Required = ["lastTransitionTime", "message", "reason", "status", "type"],
        Properties = new Dictionary<string, V1JSONSchemaProps>
        {
            ["lastTransitionTime"] = new()
            {
                Type = "string",
                Format = "date-time",
                Description = "lastTransitionTime is the last time the condition transitioned from one status to another.",
            },
            ["message"] = new()
            {
                Type = "string",
                MaxLength = 32768,
                Description = "message is a human readable message indicating details about the transition. This may be an empty string.",
            },
            ["observedGeneration"] = new()
            {
                Type = "integer",
                Format = "int64",
                Minimum = 0,
                Description = "observedGeneration represents the .metadata.generation that the condition was set based upon.",
            },
            ["reason"] = new()
            {
                Type = "string",
                MinLength = 1,
                MaxLength = 1024,
                Pattern = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
                Description = "reason contains a programmatic identifier indicating the reason for the condition's last transition, in CamelCase.",
            },
            ["status"] = new()
            {
                Type = "string",
                EnumProperty = ["True", "False", "Unknown"],
                Description = "status of the condition, one of True, False, Unknown.",
            },
            ["type"] = new()
            {
                Type = "string",
                MaxLength = 316,
                Pattern = @"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
                Description = "type of condition in CamelCase or in foo.example.com/CamelCase.",
            },
        },
    };
}
