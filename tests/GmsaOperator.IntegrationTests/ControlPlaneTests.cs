using System.Text.Json;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests;

/// <summary>The local control plane is real: right version, CRDs work, the controller manager runs.</summary>
public sealed class ControlPlaneTests : IntegrationTest
{
    [Test]
    public async Task ReportsServerVersion_1_20_2()
    {
        if (Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS") is { Length: > 0 })
        {
            Assert.Ignore("KUBEBUILDER_ASSETS brings its own kube-apiserver version.");
        }
        var version = await Client.Version.GetCodeAsync();
        Assert.That(version.GitVersion, Is.EqualTo("v1.20.2"));
    }

    [Test]
    public async Task CustomResourceDefinitionCanBeInstalledAndUsed()
    {
        var group = $"{Namespace}.example.com";
        var crd = new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = $"widgets.{group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Plural = "widgets", Singular = "widget", Kind = "Widget", ListKind = "WidgetList" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = "v1", Served = true, Storage = true,
                        Schema = new V1CustomResourceValidation
                        {
                            OpenAPIV3Schema = new V1JSONSchemaProps
                            {
                                Type = "object",
                                Properties = new Dictionary<string, V1JSONSchemaProps>
                                {
                                    ["spec"] = new() { Type = "object", Properties = new Dictionary<string, V1JSONSchemaProps> { ["size"] = new() { Type = "integer" } } },
                                },
                            },
                        },
                    },
                ],
            },
        };
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        try
        {
            await Eventually.HoldsAsync(async ct =>
            {
                var read = await Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name, cancellationToken: ct);
                return read.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true ? read : null;
            }, TimeSpan.FromSeconds(30), "the CRD to be established");

            var widget = new Dictionary<string, object>
            {
                ["apiVersion"] = $"{group}/v1",
                ["kind"] = "Widget",
                ["metadata"] = new Dictionary<string, object> { ["name"] = "w1" },
                ["spec"] = new Dictionary<string, object> { ["size"] = 3 },
            };
            // A just-established CRD can take a moment to be routable for writes.
            await Eventually.HoldsAsync(async ct => await Client.CustomObjects.CreateNamespacedCustomObjectAsync(widget, group, "v1", Namespace, "widgets", cancellationToken: ct),
                TimeSpan.FromSeconds(30), "the custom object to be created");

            var read = (JsonElement)await Client.CustomObjects.GetNamespacedCustomObjectAsync(group, "v1", Namespace, "widgets", "w1");
            Assert.That(read.GetProperty("spec").GetProperty("size").GetInt32(), Is.EqualTo(3));
        }
        finally
        {
            await Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(crd.Metadata.Name);
        }
    }

    [Test]
    public async Task DeploymentProducesPendingPod()
    {
        if (!ControlPlaneSetup.Plane.HasControllerManager)
        {
            Assert.Ignore("No kube-controller-manager available (KUBEBUILDER_ASSETS without it).");
        }
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "registry.invalid/web:1" }] },
                },
            },
        }, Namespace);

        var pod = await Eventually.HoldsAsync(async ct =>
        {
            var pods = await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "app=web", cancellationToken: ct);
            return pods.Items.FirstOrDefault();
        }, TimeSpan.FromSeconds(30), "the Deployment's ReplicaSet to create a pod");

        Assert.That(pod.Status?.Phase, Is.EqualTo("Pending"), "no kubelet runs here, so the pod stays Pending");
        Assert.That(pod.Metadata.OwnerReferences?.Single().Kind, Is.EqualTo("ReplicaSet"));
    }
}
