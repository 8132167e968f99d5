using System.Text.Json;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Hosting;

/// <summary>On start, proves the connection: logs the server version and how many GMSACredentialSpecs exist.</summary>
public sealed partial class ClusterConnectionReporter(IKubernetes client, ILogger<ClusterConnectionReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var version = await client.Version.GetCodeAsync(stoppingToken);
        LogConnected(version.GitVersion, client.BaseUri);
        try
        {
            var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(
                "windows.k8s.io", "v1", "gmsacredentialspecs", cancellationToken: stoppingToken);
            LogCredentialSpecs(list.GetProperty("items").GetArrayLength());
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            LogNoCrd();
        }
    }

    [LoggerMessage(LogLevel.Information, "Connected to Kubernetes {ServerVersion} at {Server}")]
    private partial void LogConnected(string serverVersion, Uri server);

    [LoggerMessage(LogLevel.Information, "Cluster has {Count} GMSACredentialSpecs")]
    private partial void LogCredentialSpecs(int count);

    [LoggerMessage(LogLevel.Warning, "The GMSACredentialSpec CRD (gmsacredentialspecs.windows.k8s.io) is not installed")]
    private partial void LogNoCrd();
}
