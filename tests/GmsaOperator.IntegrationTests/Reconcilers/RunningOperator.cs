using GmsaOperator.IntegrationTests.Config;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.LocalControlPlane;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;

namespace GmsaOperator.IntegrationTests.Reconcilers;

/// <summary>The real operator host (runtime + reconcilers) running in-process against the shared control plane.</summary>
internal sealed class RunningOperator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningOperator(WebApplication app, int healthPort)
    {
        _app = app;
        HealthPort = healthPort;
    }

    public int HealthPort { get; }

    public static async Task<RunningOperator> StartAsync(string operatorNamespace)
    {
        var client = ControlPlaneSetup.Client;
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = operatorNamespace } });
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }

        var port = FreePorts.Next();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath);
        var app = OperatorHost.Build(config, [], port, operatorNamespace, webhooks: o =>
        {
            o.Port = FreePorts.Next();
            o.ListenAddress = "127.0.0.1";
            o.RegisterLocally = false;
        });
        await app.StartAsync();
        return new RunningOperator(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
