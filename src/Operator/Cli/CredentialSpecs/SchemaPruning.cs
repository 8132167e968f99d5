using System.Text.Json;
using System.Text.Json.Nodes;
using GmsaOperator.Entities;
using GmsaOperator.Entities.CredentialSpecs;
using k8s;

namespace GmsaOperator.Operator.Cli.CredentialSpecs;

/// <summary>
/// Finds the fields of a credential spec the API server would silently prune (and kubectl's validation rejects):
/// everything not declared in the <c>credspec</c> schema of the GMSACredentialSpec CRD we install (generated from
/// the entity, i.e. upstream's schema).
/// </summary>
public static class SchemaPruning
{
    private static readonly Lazy<JsonElement> CredspecSchema = new(LoadCredspecSchema);

    /// <summary>Removes the undeclared fields from <paramref name="credspec"/>; returns their paths (<c>credspec.A.B</c>, arrays as <c>[i]</c>).</summary>
    public static IReadOnlyList<string> Prune(JsonNode credspec)
    {
        var pruned = new List<string>();
        Walk(credspec, CredspecSchema.Value, "credspec", pruned);
        return pruned;
    }

    private static void Walk(JsonNode? value, JsonElement schema, string path, List<string> pruned)
    {
        if (schema.TryGetProperty("x-kubernetes-preserve-unknown-fields", out var preserve) && preserve.ValueKind == JsonValueKind.True) return;
        switch (value)
        {
            case JsonObject obj when schema.TryGetProperty("properties", out var properties):
                foreach (var (name, member) in obj.ToList())
                {
                    if (properties.TryGetProperty(name, out var memberSchema))
                    {
                        Walk(member, memberSchema, $"{path}.{name}", pruned);
                    }
                    else
                    {
                        pruned.Add($"{path}.{name}");
                        obj.Remove(name);
                    }
                }
                break;
            case JsonArray array when schema.TryGetProperty("items", out var items):
                for (var i = 0; i < array.Count; i++) Walk(array[i], items, $"{path}[{i}]", pruned);
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
