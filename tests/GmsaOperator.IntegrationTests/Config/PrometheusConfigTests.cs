using GmsaOperator.Entities.Deployment;
using YamlDotNet.RepresentationModel;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>config/prometheus builds on its own, and its ServiceMonitor finds exactly config/default's metrics Service and port.</summary>
public sealed class PrometheusConfigTests
{
    [Test]
    public async Task TheServiceMonitorSelectsOnlyTheMetricsService_AndItsHttpsPort()
    {
        var monitoring = Documents(await Kubectl.SucceedAsync("kustomize", RepositoryRoot.Config("prometheus")));
        var installed = Documents(await Kubectl.SucceedAsync("kustomize", RepositoryRoot.Config("default")));

        Assert.That(monitoring.Select(d => Scalar(d, "kind")), Is.EquivalentTo(new[] { "ServiceMonitor", "PrometheusRule", "ClusterRoleBinding" }));
        var monitor = monitoring.Single(d => Scalar(d, "kind") == "ServiceMonitor");
        Assert.That(Scalar(monitor, "metadata", "namespace"), Is.EqualTo(OperatorDeployment.Namespace));
        var selector = Map(monitor, "spec", "selector", "matchLabels").Children.ToDictionary(c => c.Key.ToString(), c => c.Value.ToString());

        var selected = installed.Where(d => Scalar(d, "kind") == "Service"
            && selector.All(l => Map(d, "metadata").Children.TryGetValue(new YamlScalarNode("labels"), out var labels)
                && ((YamlMappingNode)labels).Children.TryGetValue(new YamlScalarNode(l.Key), out var value) && value.ToString() == l.Value)).ToList();
        Assert.That(selected.Select(s => Scalar(s, "metadata", "name")), Is.EqualTo(new[] { OperatorDeployment.MetricsServiceName }));

        var port = ((YamlSequenceNode)Map(monitor, "spec")["endpoints"]).Children.Cast<YamlMappingNode>().Single()["port"].ToString();
        var ports = ((YamlSequenceNode)Map(selected[0], "spec")["ports"]).Children.Cast<YamlMappingNode>().ToList();
        Assert.That(ports.Single(p => p["name"].ToString() == port)["port"].ToString(), Is.EqualTo(OperatorDeployment.MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var binding = monitoring.Single(d => Scalar(d, "kind") == "ClusterRoleBinding");
        Assert.That(Scalar(binding, "roleRef", "name"), Is.EqualTo(OperatorDeployment.MetricsReaderRoleName), "the ClusterRole config/default installs");
    }

    private static List<YamlMappingNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlMappingNode Map(YamlMappingNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => (YamlMappingNode)n[key]);

    private static string Scalar(YamlMappingNode node, params string[] path) =>
        Map(node, path[..^1])[path[^1]].ToString();
}
