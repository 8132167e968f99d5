using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.Operator.Hosting.Shutdown;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GmsaOperator.IntegrationTests;

/// <summary>
/// The real operator host (<see cref="OperatorHost.Build"/>) in-process against the shared control plane, on free
/// loopback ports: the one way integration tests run the operator. Disposal stops it and, when it registered
/// webhooks, deletes their configurations whatever happened.
/// </summary>
internal sealed class OperatorInTest : IAsyncDisposable
{
    /// <summary>A label that scopes registered webhooks to one test's namespace (1.20 has no <c>kubernetes.io/metadata.name</c>).</summary>
    public const string SelectorLabelKey = "gmsa-test-webhooks";

    /// <summary>What a test varies; everything else is the production wiring.</summary>
    public sealed record Setup(string Namespace)
    {
        /// <summary>Register url-based (failurePolicy Fail) webhook configurations under <see cref="ConfigurationName"/>.</summary>
        public bool RegisterWebhooks { get; init; }

        /// <summary>Local mode: the certificate controller injects its caBundle into <see cref="ConfigurationName"/> (empty: into none).</summary>
        public string? ConfigurationName { get; init; }

        /// <summary>A <c>key=value</c> label limiting registered webhooks to labelled namespaces.</summary>
        public string? SelectorLabel { get; init; }

        public Action<CertificateSettings>? Certificates { get; init; }

        public Action<ShutdownOptions>? Shutdown { get; init; }

        /// <summary>Webhook settings beyond port, address and registration (e.g. cache bounds).</summary>
        public Action<GmsaOperator.Webhooks.WebhookOptions>? Webhooks { get; init; }

        /// <summary>Handlers in the operator's API client (network cut, fault injection).</summary>
        public IReadOnlyList<DelegatingHandler> ApiHandlers { get; init; } = [];
    }

    private readonly WebApplication _app;
    private readonly Setup _setup;
    private bool _started;

    private OperatorInTest(WebApplication app, Setup setup, int webhookPort, int healthPort)
    {
        _app = app;
        _setup = setup;
        WebhookPort = webhookPort;
        HealthPort = healthPort;
    }

    public int WebhookPort { get; }

    public int HealthPort { get; }

    public IServiceProvider Services => _app.Services;

    public ServingCertificateStore Store => _app.Services.GetRequiredService<ServingCertificateStore>();

    public CertificateSettings Settings => _app.Services.GetRequiredService<CertificateSettings>();

    /// <summary>Builds the host without starting it (a test may start it later, or never).</summary>
    public static OperatorInTest Build(Setup setup)
    {
        var webhookPort = FreePorts.Next();
        var healthPort = FreePorts.Next();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath);
        var app = OperatorHost.Build(config, [], healthPort, setup.Namespace, webhooks: o =>
        {
            o.Port = webhookPort;
            o.ListenAddress = "127.0.0.1";
            o.RegisterLocally = setup.RegisterWebhooks;
            if (setup.ConfigurationName is { Length: > 0 } name) o.ConfigurationName = name;
            if (setup.SelectorLabel is not null) o.LocalSelectorLabel = setup.SelectorLabel;
            setup.Webhooks?.Invoke(o);
        }, certificates: setup.ConfigurationName is null && setup.Certificates is null ? null : s =>
        {
            if (setup.ConfigurationName is { } name)
            {
                s.LocalMode = true;
                s.MutatingWebhookConfigurationName = name;
                s.ValidatingWebhookConfigurationName = name;
            }
            setup.Certificates?.Invoke(s);
        }, apiHandlers: setup.ApiHandlers.Count == 0 ? null : () => [.. setup.ApiHandlers], shutdown: setup.Shutdown);
        return new OperatorInTest(app, setup, webhookPort, healthPort);
    }

    /// <summary>Creates the operator namespace if needed, builds and starts the host.</summary>
    public static async Task<OperatorInTest> StartAsync(Setup setup, CancellationToken cancellationToken = default)
    {
        await ClusterObjects.EnsureActiveNamespaceAsync(setup.Namespace, cancellationToken);
        var started = Build(setup);
        await started.StartAsync(cancellationToken);
        return started;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        await _app.StartAsync(cancellationToken);
    }

    /// <summary>Stops the host as on SIGTERM (readiness drops, webhooks drain, the Lease is released).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

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
            if (_started)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _app.StopAsync(cts.Token);
            }
        }
        finally
        {
            await _app.DisposeAsync();
            // The registrar removes them on stop; make sure a failed start never leaves failurePolicy-Fail hooks behind.
            if (_setup.RegisterWebhooks && _setup.ConfigurationName is { Length: > 0 } name)
            {
                await ClusterObjects.IgnoreNotFoundAsync(() => ControlPlaneSetup.Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(name));
                await ClusterObjects.IgnoreNotFoundAsync(() => ControlPlaneSetup.Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(name));
            }
        }
    }
}
