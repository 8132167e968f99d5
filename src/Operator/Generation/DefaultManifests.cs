using System.Text.Json.Nodes;
using GmsaOperator.Entities.Deployment;

namespace GmsaOperator.Operator.Generation;

/// <summary>
/// <c>config/default</c>: what <c>kubectl apply -k config/default</c> installs. Namespace and name prefix are also
/// compiled into the operator (<see cref="OperatorDeployment"/>): RBAC resourceNames, the webhook namespaceSelector and
/// runtime Secret names use the final names, which kustomize does not rewrite. Change them in code, not here.
/// </summary>
public static class DefaultManifests
{
    public const string DefaultImage = "gmsa-operator";
    public const string DefaultTag = "latest";

    public static IEnumerable<GeneratedFile> Files() =>
    [
        Kustomization.File("default", ["../crd", "../rbac", "../manager", "../webhook"], k =>
        {
            k["namespace"] = OperatorDeployment.Namespace;
            k["namePrefix"] = OperatorDeployment.NamePrefix;
            k["labels"] = new JsonArray(new JsonObject
            {
                ["pairs"] = new JsonObject
                {
                    ["app.kubernetes.io/name"] = OperatorDeployment.AppName,
                    ["app.kubernetes.io/part-of"] = OperatorDeployment.AppName,
                    ["app.kubernetes.io/managed-by"] = "kustomize",
                },
                // Selectors are immutable and already set in the base; labels must not change them on upgrade.
                ["includeSelectors"] = false,
                ["includeTemplates"] = true,
            });
            k["images"] = new JsonArray(new JsonObject
            {
                ["name"] = ManagerManifests.ImagePlaceholder,
                ["newName"] = DefaultImage,
                ["newTag"] = DefaultTag,
            });
        }),
    ];
}
