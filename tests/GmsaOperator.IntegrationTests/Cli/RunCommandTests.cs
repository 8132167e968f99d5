using System.Diagnostics;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.IntegrationTests.Certificates;
using GmsaOperator.IntegrationTests.Webhooks;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.Webhooks.Registration;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Cli;

/// <summary>
/// <c>gmsa-operator run</c> as a user starts it against an existing cluster: a missing namespace or an unusable API
/// server is one line and a non-zero exit, and local mode never touches config/default's webhook configurations.
/// </summary>
public sealed class RunCommandTests : IntegrationTest
{
    private static string[] Run(string kubeconfig, string @namespace, params string[] more) =>
        ["run", "--kubeconfig", kubeconfig, "--namespace", @namespace, "--health-port", FreePorts.Next().ToString(), "--webhook-port", FreePorts.Next().ToString(), .. more];

    [Test]
    public async Task MissingNamespace_ExitsWithin5Seconds_NamingTheFix()
    {
        var missing = $"{Namespace}-missing";
        var sw = Stopwatch.StartNew();
        await using var process = OperatorProcess.Start(Run(ControlPlaneSetup.Plane.KubeconfigPath, missing, "--local-webhooks=false"));
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(5));

        TestContext.Progress.WriteLine($"exited {exit} after {sw.Elapsed.TotalSeconds:0.0} s: {process.Output}");
        Assert.That(exit, Is.EqualTo(1), process.Output);
        Assert.That(process.Output, Does.Contain($"error: namespace \"{missing}\" does not exist")
            .And.Contain("kubectl apply -k config/default").And.Contain("--namespace"));
        Assert.That(process.Output, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task RejectedCredentials_IsOneLine()
    {
        using var kubeconfig = TempKubeconfig.WithToken(ControlPlaneSetup.Plane.ApiServerUrl.ToString(), "not-a-valid-token", insecureSkipTlsVerify: true);
        await using var process = OperatorProcess.Start(Run(kubeconfig.Path, Namespace, "--local-webhooks=false"));
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(5));

        Assert.That(exit, Is.EqualTo(1), process.Output);
        Assert.That(process.Output, Does.Contain("error: the API server at").And.Contain("rejected the credentials (401"));
        Assert.That(process.Output, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    [NonParallelizable] // the one test that creates config/default's (cluster-wide) configuration names
    public async Task LocalMode_LeavesServiceBasedConfigurationsByteIdentical_AndWarnsAboutThem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // config/default's shape (service client config), scoped to this test's namespace so it fails nobody else's pods.
        var scope = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [OperatorInTest.SelectorLabelKey] = Namespace } };
        Admissionregistrationv1WebhookClientConfig service(string path) => new()
        {
            Service = new Admissionregistrationv1ServiceReference { NamespaceProperty = OperatorDeployment.Namespace, Name = OperatorDeployment.WebhookServiceName, Path = path, Port = 443 },
        };
        var production = OperatorDeployment.WebhookConfigurationName;
        var api = Client.AdmissionregistrationV1;
        await WebhookConfigurationApplier.DeleteAsync(Client, production, production, cts.Token);
        await api.CreateMutatingWebhookConfigurationAsync(AdmissionWebhookConfigurations.Mutating(production, OperatorDeployment.Namespace, service, scope), cancellationToken: cts.Token);
        await api.CreateValidatingWebhookConfigurationAsync(AdmissionWebhookConfigurations.Validating(production, OperatorDeployment.Namespace, service, scope, scope), cancellationToken: cts.Token);
        try
        {
            var before = await SnapshotAsync(production, cts.Token);

            await using (var process = OperatorProcess.Start(Run(ControlPlaneSetup.Plane.KubeconfigPath, Namespace, "--local-webhooks"),
                             new Dictionary<string, string> { ["Webhooks__LocalSelectorLabel"] = $"{OperatorInTest.SelectorLabelKey}={Namespace}" }))
            {
                await process.WaitForLineAsync(l => l.Contains("webhooks: registered by this process (local mode)") && l.Contains(OperatorDeployment.LocalWebhookConfigurationName),
                    TimeSpan.FromSeconds(30), "announcing local mode");
                await process.WaitForLineAsync(l => l.Contains($"MutatingWebhookConfiguration and ValidatingWebhookConfiguration {production} (config/default, service-based) also present"),
                    TimeSpan.FromSeconds(30), "warning about config/default's configurations");
                await process.WaitForLineAsync(l => l.Contains($"registered webhook configurations {OperatorDeployment.LocalWebhookConfigurationName}"),
                    TimeSpan.FromSeconds(60), "registering the local configurations");
                var local = await api.ReadMutatingWebhookConfigurationAsync(OperatorDeployment.LocalWebhookConfigurationName, cancellationToken: cts.Token);
                Assert.That(local.Webhooks.Single().ClientConfig.Url, Does.StartWith("https://127.0.0.1:"));

                await process.TerminateAsync();
                Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(0), process.Output);
            }

            Assert.That(await SnapshotAsync(production, cts.Token), Is.EqualTo(before), "config/default's configurations untouched (resourceVersion included)");
            Assert.That(await api.ListMutatingWebhookConfigurationAsync(fieldSelector: $"metadata.name={OperatorDeployment.LocalWebhookConfigurationName}", cancellationToken: cts.Token),
                Has.Property("Items").Empty, "the local configurations are removed on exit");
        }
        finally
        {
            await WebhookConfigurationApplier.DeleteAsync(Client, production, production, CancellationToken.None);
            await WebhookConfigurationApplier.DeleteAsync(Client, OperatorDeployment.LocalWebhookConfigurationName, OperatorDeployment.LocalWebhookConfigurationName, CancellationToken.None);
        }
    }

    private static async Task<string> SnapshotAsync(string name, CancellationToken ct) =>
        KubernetesJson.Serialize(await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name, cancellationToken: ct))
        + "\n" + KubernetesJson.Serialize(await Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name, cancellationToken: ct));
}
