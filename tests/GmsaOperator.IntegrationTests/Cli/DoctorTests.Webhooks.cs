using GmsaOperator.Entities.Deployment;
using System.Text;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Webhooks.Registration;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Cli;

/// <summary>The doctor against broken webhook registrations: missing configuration, wrong caBundle, pods admitted without it.</summary>
public sealed partial class DoctorTests
{
    [Test]
    public async Task Doctor_MissingWebhookConfiguration_Fails()
    {
        var (exit, output) = await DoctorAsync(webhookConfiguration: $"absent-{Namespace}");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"✗ MutatingWebhookConfiguration absent-{Namespace} present: it does not exist"));
        Assert.That(output, Does.Contain($"✗ ValidatingWebhookConfiguration absent-{Namespace} present: it does not exist"));
        Assert.That(output, Does.Contain("fix: deploy the operator with kubectl apply -k config/default"));
    }

    [Test]
    public async Task Doctor_WrongCaBundle_Fails()
    {
        // Points at the real webhook server but trusts another CA; its selector matches no namespace, so nothing is intercepted.
        var name = $"doctor-badca-{Namespace}";
        var otherCa = CertificateIssuer.CreateCa(DateTimeOffset.UtcNow, new CertificateSettings());
        var clientConfig = AdmissionWebhookConfigurations.UrlClientConfig(new Uri($"https://127.0.0.1:{_webhooks.Port}"), Encoding.ASCII.GetBytes(Pem.ExportCertificates([otherCa])));
        var nothing = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["gmsa-doctor-never"] = Namespace } };
        await WebhookConfigurationApplier.ApplyAsync(Client,
            AdmissionWebhookConfigurations.Mutating(name, OperatorDeployment.Namespace, clientConfig, nothing), AdmissionWebhookConfigurations.Validating(name, OperatorDeployment.Namespace, clientConfig, nothing, nothing), CancellationToken.None);
        try
        {
            var (exit, output) = await DoctorAsync(webhookConfiguration: name);
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain($"✗ MutatingWebhookConfiguration {name}: admission-webhook.windows-gmsa.sigs.k8s.io caBundle: the caBundle does not verify the certificate served at https://127.0.0.1:{_webhooks.Port}/mutate: chain not trusted"));
            Assert.That(output, Does.Contain("fix: the operator's certificate controller writes the caBundle"));

            var (goodExit, good) = await DoctorAsync();
            Assert.That(goodExit, Is.EqualTo(0), "the fixture's own webhook configuration verifies: " + good);
        }
        finally
        {
            await WebhookConfigurationApplier.DeleteAsync(Client, name, name, CancellationToken.None);
            otherCa.Dispose();
        }
    }

    [Test]
    public async Task Doctor_PodCreatedWhileTheWebhookWasAbsent_Fails_WithRecreateFix()
    {
        await CreateCredSpecAsync();
        await CreateBindingAsync();
        await WaitUntilAllowedAsync();
        // The namespace is not served yet, so the pod goes around the webhook (unexpanded), as when it was down.
        await Client.CoreV1.CreateNamespacedPodAsync(Pod(CredSpecName), Namespace);
        await ServeNamespaceAsync();

        var (exit, output) = await DoctorAsync("pod/web");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"✗ pod web: pod-level credential spec expanded: names {CredSpecName} but gmsaCredentialSpec is empty: the pod was created while the webhook was absent"));
        Assert.That(output, Does.Contain($"fix: delete the pod so it is created again through the webhook: kubectl -n {Namespace} delete pod web"));
        Assert.That(output, Does.Contain($"✓ service account {Namespace}/webapp may use {CredSpecName}"));
    }
}
