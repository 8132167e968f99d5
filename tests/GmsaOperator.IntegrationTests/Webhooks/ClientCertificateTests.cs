using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GmsaOperator.Entities;
using GmsaOperator.IntegrationTests.Config;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.Operator.Hosting;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Plane = GmsaOperator.LocalControlPlane.LocalControlPlane;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>
/// <c>Webhooks:ClientCaFile</c> against a real kube-apiserver that presents a client certificate to webhooks
/// (<c>--admission-control-config-file</c>). The shared plane cannot change its flags, so this class starts its own.
/// </summary>
[NonParallelizable]
public sealed class ClientCertificateTests
{
    private const string OperatorNamespace = "gmsa-system";
    private const string ConfigurationName = "gmsa-clientca-webhook";
    private Plane _plane = null!;
    private IKubernetes _client = null!;
    private OperatorInTest _operator = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        _plane = await Plane.StartAsync(new LocalControlPlaneOptions { WebhookClientCertificates = true, Progress = TestContext.Progress }, cts.Token);
        _client = _plane.CreateClient();
        await CrdInstaller.InstallAsync(_client, CustomResourceDefinitions.All(), TextWriter.Null, cts.Token);
        _operator = await OperatorInTest.StartAsync(new(OperatorNamespace)
        {
            ControlPlane = _plane,
            RegisterWebhooks = true,
            ConfigurationName = ConfigurationName,
            Webhooks = o => o.ClientCaFile = _plane.WebhookClientCredentials!.CaCert,
        }, cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_operator is not null) await _operator.DisposeAsync();
        _client?.Dispose();
        if (_plane is not null) await _plane.DisposeAsync();
    }

    [Test]
    public async Task ReadmeJourney_WorksWhenTheApiServerPresentsItsCertificate()
    {
        await Eventually.HoldsAsync(async ct =>
        {
            var result = await Kubectl.RunAsync(["apply", "-k", RepositoryRoot.Config("samples")], cancellationToken: ct, kubeconfig: _plane.KubeconfigPath);
            return result.ExitCode == 0 ? result : throw new InvalidOperationException(result.ToString());
        }, TimeSpan.FromSeconds(60), "kubectl apply -k config/samples to succeed");

        await Eventually.HoldsAsync(async ct =>
        {
            var binding = (JsonElement)await _client.CustomObjects.GetNamespacedCustomObjectAsync("gmsa.dev", "v1alpha1", "default", "gmsabindings", "webapp1-default", cancellationToken: ct);
            return binding.TryGetProperty("status", out var status) && status.TryGetProperty("conditions", out var conditions)
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True")
                ? (object)binding : null;
        }, TimeSpan.FromSeconds(60), "GmsaBinding webapp1-default to be Ready");

        // The Deployment's pod passes the failurePolicy-Fail webhooks only if kube-apiserver's handshake succeeded.
        var pod = await Eventually.HoldsAsync(async ct =>
            (await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "run=with-creds", cancellationToken: ct)).Items.FirstOrDefault(),
            TimeSpan.FromSeconds(90), "the with-creds pod to be admitted");
        var windows = pod.Spec.SecurityContext.WindowsOptions;
        Assert.That(windows.GmsaCredentialSpecName, Is.EqualTo("gmsa-webapp1"));
        using var expanded = JsonDocument.Parse(windows.GmsaCredentialSpec);
        Assert.That(expanded.RootElement.GetProperty("DomainJoinConfig").GetProperty("Sid").GetString(), Is.EqualTo("S-1-5-21-2126449477-2524075714-3094792973"));

        await _client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "intruder" } }, "default");
        var refused = await Eventually.HoldsAsync(async ct =>
        {
            try
            {
                await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = "intruder" },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = "intruder",
                        SecurityContext = new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = "gmsa-webapp1" } },
                        Containers = [new V1Container { Name = "c", Image = "registry.invalid/c:1" }],
                    },
                }, "default", dryRun: "All", cancellationToken: ct);
                throw new InvalidOperationException("the unauthorised pod was admitted");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
            {
                return e;
            }
        }, TimeSpan.FromSeconds(30), "the unauthorised pod to be refused");
        Assert.That(refused.Response.Content, Does.Contain("service account \\\"intruder\\\" is not authorized to `use` GMSA cred spec \\\"gmsa-webapp1\\\""));
    }

    [TestCase(SslProtocols.Tls12)]
    [TestCase(SslProtocols.Tls13)]
    public async Task DirectCallers_WithoutTheApiServersCertificate_CannotCompleteAHandshake(SslProtocols protocol)
    {
        using var foreignCa = ClientPki.Create("CN=kube-apiserver-webhook-client-ca");
        using var foreign = foreignCa.Issue(WebhookClientCredentials.ClientSubject);
        var credentials = _plane.WebhookClientCredentials!;
        using var pem = X509Certificate2.CreateFromPemFile(credentials.ClientCert, credentials.ClientKey);
        using var apiServers = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);

        var anonymous = await TlsProbe.RequestAsync(_operator.WebhookPort, null, protocol, "/validate");
        var impostor = await TlsProbe.RequestAsync(_operator.WebhookPort, foreign, protocol, "/validate");
        var genuine = await TlsProbe.RequestAsync(_operator.WebhookPort, apiServers, protocol, "/validate");

        Assert.That(anonymous.Answered, Is.False, anonymous.ToString());
        Assert.That(anonymous.Failure, Is.InstanceOf<AuthenticationException>().Or.InstanceOf<IOException>());
        Assert.That(impostor.Answered, Is.False, impostor.ToString());
        Assert.That(impostor.Failure, Is.InstanceOf<AuthenticationException>().Or.InstanceOf<IOException>());
        Assert.That(genuine.StatusLine, Does.StartWith("HTTP/1.1 "), "the same request with kube-apiserver's certificate is answered");
    }
}
