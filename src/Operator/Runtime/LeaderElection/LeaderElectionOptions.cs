namespace GmsaOperator.Runtime.LeaderElection;

/// <summary>Lease-based leader election settings (client-go / controller-runtime defaults).</summary>
public sealed record LeaderElectionOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Namespace of the Lease (the operator's own namespace).</summary>
    public string Namespace { get; set; } = "default";

    public string LeaseName { get; set; } = "operator-leader";

    /// <summary>This replica's identity; defaults to the host (pod) name plus a random suffix.</summary>
    public string Identity { get; set; } = DefaultIdentity();

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Empty the Lease on graceful shutdown so a successor takes over at once instead of after a full lease duration.</summary>
    public bool ReleaseOnStop { get; set; } = true;

    private static string DefaultIdentity()
    {
        var pod = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } name ? name : Environment.MachineName;
        return $"{pod}_{Guid.NewGuid().ToString("N")[..8]}";
    }
}
