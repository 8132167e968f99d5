namespace GmsaOperator.Operator.Cli;

/// <summary>
/// A cluster started on this machine for <c>run</c> when no kubeconfig is given, with ports the operator may use
/// here. The shipped executable has none (it says so and exits); the development host (GmsaOperator.DevCluster)
/// provides one that starts the local control plane. Disposing stops it.
/// </summary>
public interface ILocalCluster : IAsyncDisposable
{
    string KubeconfigPath { get; }

    int HealthPort { get; }

    int WebhookPort { get; }
}

/// <summary>Starts an <see cref="ILocalCluster"/>; failures throw with a message for the user.</summary>
public delegate Task<ILocalCluster> LocalClusterStarter(CancellationToken cancellationToken);
