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

    /// <summary>
    /// Once the first lists are cached, and again <see cref="StartupSettleTime"/> later, hand back to the kernel the
    /// executable's pages touched only while starting (<see cref="Memory.ExecutablePages"/>): about 20 MB of a NativeAOT
    /// build's RSS. Pages needed again are read back on their next access.
    /// </summary>
    public bool ReleaseStartupPages { get; set; } = true;

    /// <summary>After the caches synced, how long the rest of startup (certificates, leader election, first reconciles) may take.</summary>
    public TimeSpan StartupSettleTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often an idle process gives memory back (<see cref="Memory.MemoryTrimmer"/>); zero: never. Under load nothing
    /// happens; idle, the gen0 area idle timers fill would otherwise stay resident.
    /// </summary>
    public TimeSpan IdleTrimInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the process checks whether a burst of allocation is over, to give back what it left behind
    /// (<see cref="Memory.MemoryTrimmer"/>); zero: only when idle.
    /// </summary>
    public TimeSpan BurstTrimCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    public LeaderElectionOptions LeaderElection { get; set; } = new();
}
