using GmsaOperator.Runtime.Informers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GmsaOperator.Runtime.Health;

/// <summary>Readiness: every informer has completed its first list.</summary>
public sealed class CachesSyncedCheck(InformerRegistry informers, RuntimeState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.InformersStarted) return Task.FromResult(HealthCheckResult.Unhealthy("informers not started"));
        var pending = informers.All.Where(i => !i.HasSynced).Select(i => i.Description).ToList();
        return Task.FromResult(pending.Count == 0
            ? HealthCheckResult.Healthy("caches synced")
            : HealthCheckResult.Unhealthy($"caches not synced: {string.Join(", ", pending)}"));
    }
}
