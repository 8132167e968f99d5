using GmsaOperator.LocalControlPlane;
using GmsaOperator.Operator.Cli;

namespace GmsaOperator.DevCluster;

/// <summary>The local control plane as the cluster of <c>run</c> without a kubeconfig, with free ports for the operator.</summary>
internal sealed class LocalPlaneCluster(LocalControlPlane.LocalControlPlane plane) : ILocalCluster
{
    public string KubeconfigPath => plane.KubeconfigPath;

    public int HealthPort { get; } = FreePorts.Next();

    public int WebhookPort { get; } = FreePorts.Next();

    public static async Task<ILocalCluster> StartAsync(CancellationToken cancellationToken) =>
        new LocalPlaneCluster(await LocalControlPlane.LocalControlPlane.StartAsync(new LocalControlPlaneOptions(), cancellationToken));

    public ValueTask DisposeAsync() => plane.DisposeAsync();
}
