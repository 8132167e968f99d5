using System.Net;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.LocalControlPlane;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>Local mode: the operator host registers url-based webhook configurations for itself and removes them on exit.</summary>
[NonParallelizable]
public sealed class LocalModeTests : IntegrationTest
{
    [Test]
    public async Task OperatorHost_RegistersItsWebhooksOnStart_AndRemovesThemOnStop()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var name = $"gmsa-local-{Namespace}";
        await using var host = OperatorInTest.Build(new(GmsaOperator.Entities.Deployment.OperatorDeployment.Namespace) { RegisterWebhooks = true, ConfigurationName = name });
        var port = host.WebhookPort;
        await ClusterObjects.EnsureActiveNamespaceAsync(GmsaOperator.Entities.Deployment.OperatorDeployment.Namespace, cts.Token);
        await host.StartAsync(cts.Token);
        try
        {
            var mutating = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name, cancellationToken: cts.Token);
            var hook = mutating.Webhooks.Single();
            Assert.That(hook.ClientConfig.Url, Is.EqualTo($"https://127.0.0.1:{port}/mutate"));
            Assert.That(System.Text.Encoding.ASCII.GetString(hook.ClientConfig.CaBundle), Does.StartWith("-----BEGIN CERTIFICATE-----"));
            Assert.That((hook.SideEffects, hook.FailurePolicy, hook.TimeoutSeconds, hook.AdmissionReviewVersions.Single()), Is.EqualTo(("None", "Fail", 5, "v1")));
            Assert.That(hook.NamespaceSelector.MatchExpressions.Select(e => $"{e.Key} {e.OperatorProperty} {string.Join(",", e.Values)}"),
                Is.EqualTo(new[] { "kubernetes.io/metadata.name NotIn gmsa-system,kube-system", "windows.k8s.io/disabled NotIn true" }));

            // End to end: a pod naming an unknown credspec is denied by this process.
            var denied = await Eventually.HoldsAsync(async ct =>
            {
                try
                {
                    await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
                    {
                        Metadata = new V1ObjectMeta { Name = "probe" },
                        Spec = new V1PodSpec
                        {
                            SecurityContext = new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = "local-missing" } },
                            Containers = [new V1Container { Name = "c", Image = "registry.invalid/c:1" }],
                        },
                    }, Namespace, dryRun: "All", cancellationToken: ct);
                    return null;
                }
                catch (HttpOperationException e) when (e.Response.Content.Contains("cred spec local-missing does not exist"))
                {
                    return e;
                }
            }, TimeSpan.FromSeconds(60), "the local webhooks to deny the probe pod");
            Assert.That(denied.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        var removed = Assert.ThrowsAsync<HttpOperationException>(() => Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name));
        Assert.That(removed!.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var removedValidating = Assert.ThrowsAsync<HttpOperationException>(() => Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name));
        Assert.That(removedValidating!.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
