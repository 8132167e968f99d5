using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>config/default builds with kustomize and the API server accepts every object in it.</summary>
public sealed class KustomizeConfigTests : IntegrationTest
{
    [Test]
    public async Task KustomizeBuildOfDefaultSucceeds()
    {
        var yaml = await Kubectl.SucceedAsync("kustomize", RepositoryRoot.Config("default"));

        foreach (var kind in new[] { "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                     "Namespace", "Deployment", "PodDisruptionBudget", "Service", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" })
        {
            Assert.That(yaml, Does.Contain($"\nkind: {kind}\n"), kind);
        }
        Assert.That(yaml, Does.Contain("name: gmsa-operator-controller-manager"));
        Assert.That(yaml, Does.Contain("image: gmsa-operator:latest"));
        Assert.That(yaml, Does.Not.Contain("caBundle"), "the operator injects caBundle at run time");
    }

    [Test]
    public async Task ServerSideDryRunOfDefaultSucceeds()
    {
        // A server-side dry run does not create the Namespace, so the namespaced objects need it to exist already.
        var createdNamespace = await ClusterObjects.EnsureActiveNamespaceAsync(Entities.Deployment.OperatorDeployment.Namespace);
        try
        {
            var rendered = await Kubectl.SucceedAsync("kustomize", RepositoryRoot.Config("default"));
            var objectCount = rendered.Split('\n').Count(l => l.StartsWith("kind: ", StringComparison.Ordinal));
            var policyV1 = (await Kubectl.SucceedAsync("api-versions")).Split('\n').Contains("policy/v1");
            Kubectl.Result result;
            if (policyV1)
            {
                result = await Kubectl.RunAsync(["apply", "--dry-run=server", "-k", RepositoryRoot.Config("default")]);
            }
            else
            {
                // Kubernetes 1.20 serves PodDisruptionBudget only as policy/v1beta1 (same fields); the config targets
                // current clusters (policy/v1, the only version from 1.25), so only that object is adapted here.
                Assert.That(rendered, Does.Contain("apiVersion: policy/v1\nkind: PodDisruptionBudget"));
                var yaml = rendered.Replace("apiVersion: policy/v1\nkind: PodDisruptionBudget", "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget", StringComparison.Ordinal);
                result = await Kubectl.RunAsync(["apply", "--dry-run=server", "-f", "-"], yaml);
            }

            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            var applied = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(applied, Has.All.EndsWith("(server dry run)"), result.ToString());
            Assert.That(applied, Has.Length.EqualTo(objectCount), result.ToString());
        }
        finally
        {
            if (createdNamespace) await Client.CoreV1.DeleteNamespaceAsync(Entities.Deployment.OperatorDeployment.Namespace);
        }
    }
}
