using System.Text.Json.Nodes;

namespace GmsaOperator.Operator.Generation;

/// <summary>Builds kustomization.yaml documents.</summary>
public static class Kustomization
{
    public static JsonObject Create(IEnumerable<string> resources, Action<JsonObject>? extra = null)
    {
        var kustomization = new JsonObject
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
        };
        extra?.Invoke(kustomization);
        kustomization["resources"] = new JsonArray([.. resources.Select(r => (JsonNode)JsonValue.Create(r))]);
        return kustomization;
    }

    /// <summary>A kustomization.yaml file listing <paramref name="resources"/> in <paramref name="directory"/>.</summary>
    public static GeneratedFile File(string directory, IEnumerable<string> resources, Action<JsonObject>? extra = null) =>
        GeneratedFile.Yaml($"{directory}/kustomization.yaml", Create(resources, extra));
}
