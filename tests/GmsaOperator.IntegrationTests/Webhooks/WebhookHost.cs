using GmsaOperator.Entities.Deployment;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.Webhooks;
using GmsaOperator.Webhooks.Certificates;
using GmsaOperator.Webhooks.Registration;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>
/// The webhooks served in-process on a free loopback port, registered with the shared API server under a test-only
/// name whose selectors match only namespaces/objects labelled with this run's id, so other tests are unaffected.
/// </summary>
internal sealed class WebhookHost : IAsyncDisposable
{
    public const string SelectorLabel = "gmsa-webhook-test";

    private readonly WebApplication _app;

    private WebhookHost(WebApplication app, int port, string runId)
    {
        _app = app;
        Port = port;
        RunId = runId;
    }

    public int Port { get; }
    public string RunId { get; }
    public string ConfigurationName => $"gmsa-webhook-test-{RunId}";
    public IServingCertificateProvider Certificates => _app.Services.GetRequiredService<IServingCertificateProvider>();
    public Dictionary<string, string> Labels => new() { [SelectorLabel] = RunId };

    public static async Task<WebhookHost> StartAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(client);
        builder.Services.AddGmsaWebhooks(configure: o =>
        {
            o.Port = port;
            o.ListenAddress = "127.0.0.1";
            o.AuthorizationCacheTtl = TimeSpan.Zero; // tests change RBAC and expect the next request to see it
        });
        var app = builder.Build();
        app.UseGmsaWebhooks();
        await app.StartAsync(cancellationToken);
        var host = new WebhookHost(app, port, Guid.NewGuid().ToString("N")[..10]);
        await host.RegisterAsync(client, cancellationToken);
        return host;
    }

    private Task RegisterAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var clientConfig = AdmissionWebhookConfigurations.UrlClientConfig(new Uri($"https://127.0.0.1:{Port}"), Certificates.GetCaBundlePem());
        var selector = new V1LabelSelector { MatchLabels = Labels };
        return WebhookConfigurationApplier.ApplyAsync(client,
            AdmissionWebhookConfigurations.Mutating(ConfigurationName, OperatorDeployment.Namespace, clientConfig, selector),
            AdmissionWebhookConfigurations.Validating(ConfigurationName, OperatorDeployment.Namespace, clientConfig, selector, selector),
            cancellationToken);
    }

    public async Task UnregisterAsync(IKubernetes client) =>
        await WebhookConfigurationApplier.DeleteAsync(client, ConfigurationName, ConfigurationName, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
