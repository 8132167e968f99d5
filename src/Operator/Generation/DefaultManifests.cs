using System.Text.Json.Nodes;
using GmsaOperator.Entities.Deployment;
using k8s.Models;

namespace GmsaOperator.Operator.Generation;

/// <summary>
/// <c>config/default</c>: what <c>kubectl apply -k config/default</c> installs. Namespace and name prefix are also
/// compiled into the operator (<see cref="OperatorDeployment"/>): RBAC resourceNames, the webhook namespaceSelector and
/// runtime Secret names use the final names, which kustomize does not rewrite. Change them in code, not here. As in
/// kubebuilder, the Service of the authenticated HTTPS /metrics lives here (leave it out to not expose metrics).
/// </summary>
public static class DefaultManifests
{
    public const string DefaultImage = "gmsa-operator";
    public const string DefaultTag = "latest";

    public static IEnumerable<GeneratedFile> Files() =>
    [
        GeneratedFile.Yaml("default/metrics_service.yaml", MetricsService()),
        Kustomization.File("default", ["../crd", "../rbac", "../manager", "../webhook", "metrics_service.yaml"], k =>
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

    public const string MetricsServicePortName = "https";

    /// <summary>
    /// Port 8443 (https) to the pods' <c>metrics</c> port; scrapers need a token allowed by the metrics-reader ClusterRole.
    /// Labelled as the metrics component, which config/prometheus's ServiceMonitor selects.
    /// </summary>
    private static V1Service MetricsService()
    {
        var service = ManagerManifests.Service(OperatorDeployment.MetricsServiceBaseName,
            new V1ServicePort { Name = MetricsServicePortName, Port = OperatorDeployment.MetricsPort, Protocol = "TCP", TargetPort = ManagerManifests.MetricsPortName });
        service.Metadata.Labels = new Dictionary<string, string> { [PrometheusManifests.ComponentLabel] = PrometheusManifests.MetricsComponent };
        return service;
    }
}
