using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.LocalControlPlane;
using k8s;
using k8s.Autorest;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GmsaOperator.IntegrationTests.Certificates;

/// <summary>
/// The real operator host in local mode, its webhooks registered url-based under a test-unique configuration name and
/// scoped by <see cref="SelectorLabelKey"/> to the test namespace (1.20 has no <c>kubernetes.io/metadata.name</c>).
/// Disposal stops the host and deletes the webhook configurations whatever happened.
/// </summary>
internal sealed class OperatorUnderTest : IAsyncDisposable
{
    public const string SelectorLabelKey = "gmsa-test-webhooks";

    private readonly WebApplication _app;
    private bool _started;

    private OperatorUnderTest(WebApplication app, string configurationName, int webhookPort, int healthPort)
    {
        _app = app;
        ConfigurationName = configurationName;
        WebhookPort = webhookPort;
        HealthPort = healthPort;
    }

    public string ConfigurationName { get; }

    public int WebhookPort { get; }

    public int HealthPort { get; }

    public ServingCertificateStore Store => _app.Services.GetRequiredService<ServingCertificateStore>();

    public CertificateSettings Settings => _app.Services.GetRequiredService<CertificateSettings>();

    /// <param name="register">Whether this host registers the (failurePolicy Fail) webhook configurations.</param>
    public static OperatorUnderTest Build(string @namespace, string configurationName, bool register, Action<CertificateSettings>? configure = null)
    {
        var webhookPort = FreePorts.Next();
        var healthPort = FreePorts.Next();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath);
        var app = OperatorHost.Build(config, [], healthPort, operatorNamespace: @namespace, webhooks: o =>
        {
            o.Port = webhookPort;
            o.ListenAddress = "127.0.0.1";
            o.RegisterLocally = register;
            o.ConfigurationName = configurationName;
            o.LocalSelectorLabel = $"{SelectorLabelKey}={@namespace}";
        }, certificates: s =>
        {
            s.LocalMode = true;
            s.Namespace = @namespace;
            s.MutatingWebhookConfigurationName = configurationName;
            s.ValidatingWebhookConfigurationName = configurationName;
            s.BackDate = TimeSpan.FromSeconds(2);
            s.EventDebounce = TimeSpan.FromMilliseconds(200);
            s.NonLeaderMaxJitter = TimeSpan.FromMilliseconds(500);
            s.CheckInterval = TimeSpan.FromSeconds(1);
            configure?.Invoke(s);
        });
        return new OperatorUnderTest(app, configurationName, webhookPort, healthPort);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        _started = true;
        await _app.StartAsync(ct);
    }

    /// <summary>SHA-256 of the leaf this host presents in a real TLS handshake on its webhook port.</summary>
    public async Task<string> HandshakeLeafAsync(CancellationToken ct)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, WebhookPort, ct);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, ct);
        using var remote = new X509Certificate2(ssl.RemoteCertificate!);
        return remote.Sha256();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started) await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            // The registrar removes them on stop; make sure a failed start never leaves failurePolicy-Fail hooks behind.
            await IgnoreNotFoundAsync(() => ControlPlaneSetup.Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(ConfigurationName));
            await IgnoreNotFoundAsync(() => ControlPlaneSetup.Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(ConfigurationName));
        }
    }

    private static async Task IgnoreNotFoundAsync<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
