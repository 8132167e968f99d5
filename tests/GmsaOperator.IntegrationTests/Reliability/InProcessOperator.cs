using GmsaOperator.IntegrationTests.Config;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.LocalControlPlane;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;

namespace GmsaOperator.IntegrationTests.Reliability;

/// <summary>The real operator host in-process, with optional handlers in its API client (network cut, fault injection).</summary>
internal sealed class InProcessOperator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessOperator(WebApplication app) => _app = app;

    public static async Task<InProcessOperator> StartAsync(string operatorNamespace, params DelegatingHandler[] handlers)
    {
        await ReliabilityCluster.EnsureNamespaceAsync(operatorNamespace);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath);
        var app = OperatorHost.Build(config, [], FreePorts.Next(), operatorNamespace, webhooks: o =>
        {
            o.Port = FreePorts.Next();
            o.ListenAddress = "127.0.0.1";
            o.RegisterLocally = false;
        }, apiHandlers: handlers.Length == 0 ? null : () => handlers);
        await app.StartAsync();
        return new InProcessOperator(app);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
