using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.LeaderElection;

namespace GmsaOperator.Runtime;

/// <summary>Settings of the operator runtime as a whole.</summary>
public sealed class OperatorRuntimeOptions
{
    /// <summary>Field manager for server-side apply and the reporting controller of events.</summary>
    public string FieldManager { get; set; } = "operator";

    /// <summary>Namespace the informers watch; null watches all namespaces.</summary>
    public string? WatchNamespace { get; set; }

    /// <summary>How long in-flight reconciles may run after shutdown or lost leadership before they are cancelled.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20); // below the host's 30 s shutdown timeout, leaving time to release the Lease

    public InformerOptions Informers { get; set; } = new();

    public LeaderElectionOptions LeaderElection { get; set; } = new();
}
