using System.Text.Json;
using GmsaOperator.Entities;
using GmsaOperator.Entities.CredentialSpecs;
using k8s;

namespace GmsaOperator.Operator.Cli.CredentialSpecs;

/// <summary>
/// Finds the fields of a credential spec the API server would silently prune: everything not declared in the
/// <c>credspec</c> schema of the GMSACredentialSpec CRD we install (generated from the entity, i.e. upstream's schema).
/// </summary>
public static class SchemaPruning
{
    private static readonly Lazy<JsonElement> CredspecSchema = new(LoadCredspecSchema);

    /// <summary>Dotted paths (<c>credspec.A.B</c>, arrays as <c>[i]</c>) of the fields that would be dropped.</summary>
    public static IReadOnlyList<string> PrunedFields(JsonElement credspec)
    {
        var pruned = new List<string>();
        Walk(credspec, CredspecSchema.Value, "credspec", pruned);
        return pruned;
    }

    private static void Walk(JsonElement value, JsonElement schema, string path, List<string> pruned)
    {
        if (schema.TryGetProperty("x-kubernetes-preserve-unknown-fields", out var preserve) && preserve.ValueKind == JsonValueKind.True) return;
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when schema.TryGetProperty("properties", out var properties):
                foreach (var member in value.EnumerateObject())
                {
                    if (properties.TryGetProperty(member.Name, out var memberSchema)) Walk(member.Value, memberSchema, $"{path}.{member.Name}", pruned);
                    else pruned.Add($"{path}.{member.Name}");
                }
                break;
            case JsonValueKind.Array when schema.TryGetProperty("items", out var items):
                var i = 0;
                foreach (var item in value.EnumerateArray()) Walk(item, items, $"{path}[{i++}]", pruned);
                break;
        }
    }

    private static JsonElement LoadCredspecSchema()
    {
        var crd = CustomResourceDefinitions.All().Single(c => c.Spec.Names.Kind == GmsaCredentialSpec.EntityKind);
        var version = crd.Spec.Versions.Single(v => v.Storage);
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(version.Schema.OpenAPIV3Schema));
        return document.RootElement.GetProperty("properties").GetProperty("credspec").Clone();
    }
}
