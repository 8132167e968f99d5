using System.Text.Json.Nodes;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Monitoring;
using k8s.Models;

namespace GmsaOperator.Operator.Generation;

/// <summary>
/// <c>config/prometheus</c> (kubebuilder's layout), for clusters running the Prometheus Operator: a ServiceMonitor for
/// the HTTPS /metrics Service of config/default, the PrometheusRule of <see cref="AlertRules"/>, and a binding of the
/// metrics-reader ClusterRole to kube-prometheus's Prometheus service account. Applied on its own after config/default
/// (<c>kubectl apply -k config/prometheus</c>): its objects carry their final names, and config/default leaves it out
/// because its kinds need the Prometheus Operator's CRDs.
/// </summary>
public static class PrometheusManifests
{
    public const string MonitoringGroup = "monitoring.coreos.com";

    /// <summary>The label telling the metrics Service from the webhook Service (both have a port named https).</summary>
    public const string ComponentLabel = "app.kubernetes.io/component";

    public const string MetricsComponent = "metrics";

    /// <summary>kube-prometheus's Prometheus runs as this service account; other installations change the binding's subject.</summary>
    public const string ScraperNamespace = "monitoring";

    public const string ScraperServiceAccount = "prometheus-k8s";

    public static IEnumerable<GeneratedFile> Files()
    {
        var files = new List<GeneratedFile>
        {
            GeneratedFile.Yaml("prometheus/monitor.yaml", ServiceMonitor()),
            GeneratedFile.Yaml("prometheus/prometheus_rule.yaml", PrometheusRule()),
            GeneratedFile.Yaml("prometheus/metrics_reader_binding.yaml", MetricsReaderBinding()),
        };
        return [.. files, Kustomization.File("prometheus", files.Select(f => f.Path["prometheus/".Length..]))];
    }

    private static Dictionary<string, string> Labels() => new()
    {
        ["app.kubernetes.io/name"] = OperatorDeployment.AppName,
        ["app.kubernetes.io/part-of"] = OperatorDeployment.AppName,
    };

    private static JsonObject Metadata(string name, bool namespaced = true)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (namespaced) metadata["namespace"] = OperatorDeployment.Namespace;
        metadata["labels"] = new JsonObject([.. Labels().Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]);
        return metadata;
    }

    /// <summary>
    /// Scrapes the https port with the scraper's own token, which the operator checks with TokenReview and
    /// SubjectAccessReview (get /metrics, granted by the metrics-reader ClusterRole). The certificate is self-signed
    /// per replica, so it is not verified (kubebuilder's default too).
    /// </summary>
    private static JsonObject ServiceMonitor() => new()
    {
        ["apiVersion"] = $"{MonitoringGroup}/v1",
        ["kind"] = "ServiceMonitor",
        ["metadata"] = Metadata(OperatorDeployment.NamePrefix + "controller-manager-metrics-monitor"),
        ["spec"] = new JsonObject
        {
            ["endpoints"] = new JsonArray(new JsonObject
            {
                ["path"] = "/metrics",
                ["port"] = DefaultManifests.MetricsServicePortName,
                ["scheme"] = "https",
                ["bearerTokenFile"] = "/var/run/secrets/kubernetes.io/serviceaccount/token",
                ["tlsConfig"] = new JsonObject { ["insecureSkipVerify"] = true },
            }),
            ["namespaceSelector"] = new JsonObject { ["matchNames"] = new JsonArray(OperatorDeployment.Namespace) },
            ["selector"] = new JsonObject
            {
                ["matchLabels"] = new JsonObject
                {
                    ["app.kubernetes.io/name"] = OperatorDeployment.AppName,
                    [ComponentLabel] = MetricsComponent,
                },
            },
        },
    };

    private static JsonObject PrometheusRule() => new()
    {
        ["apiVersion"] = $"{MonitoringGroup}/v1",
        ["kind"] = "PrometheusRule",
        ["metadata"] = Metadata(OperatorDeployment.NamePrefix + "alerts"),
        ["spec"] = AlertRules.Groups(AlertRules.All),
    };

    private static V1ClusterRoleBinding MetricsReaderBinding() => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRoleBinding",
        Metadata = new V1ObjectMeta { Name = OperatorDeployment.NamePrefix + "metrics-reader-prometheus", Labels = Labels() },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = OperatorDeployment.MetricsReaderRoleName },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = ScraperServiceAccount, NamespaceProperty = ScraperNamespace }],
    };
}
