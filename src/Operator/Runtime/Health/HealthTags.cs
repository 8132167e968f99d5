namespace GmsaOperator.Runtime.Health;

/// <summary>Health-check tags: "live" checks back /healthz, "ready" checks back /readyz.</summary>
public static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}
