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
            // One item and the server's count of the rest: the informer lists them all anyway, and a second full list
            // of thousands of credspecs at startup would only double the startup peak of memory and API work.
            var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(
                "windows.k8s.io", "v1", "gmsacredentialspecs", limit: 1, cancellationToken: stoppingToken);
            LogCredentialSpecs(CountOf(list));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            LogNoCrd();
        }
    }

    /// <summary>Items in a <c>limit</c>ed list page plus <c>metadata.remainingItemCount</c> (absent when none remain).</summary>
    internal static long CountOf(JsonElement page) =>
        page.GetProperty("items").GetArrayLength()
        + (page.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("remainingItemCount", out var rest) && rest.ValueKind == JsonValueKind.Number ? rest.GetInt64() : 0);

    [LoggerMessage(LogLevel.Information, "Connected to Kubernetes {ServerVersion} at {Server}")]
    private partial void LogConnected(string serverVersion, Uri server);

    [LoggerMessage(LogLevel.Information, "Cluster has {Count} GMSACredentialSpecs")]
    private partial void LogCredentialSpecs(long count);

    [LoggerMessage(LogLevel.Warning, "The GMSACredentialSpec CRD (gmsacredentialspecs.windows.k8s.io) is not installed")]
    private partial void LogNoCrd();
}
