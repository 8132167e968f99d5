namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>Settings of restarts made for <c>spec.rolloutOnChange</c> (section <c>Rollout</c>).</summary>
public sealed class RolloutOptions
{
    public const string SectionName = "Rollout";

    /// <summary>Workloads restarting at the same time, over all bindings; the others wait for a slot.</summary>
    public int MaxConcurrentRestarts { get; set; } = 5;

    /// <summary>After this, a restart whose pods are still stale stops holding its slot.</summary>
    public TimeSpan RestartTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
