using GmsaOperator.Runtime.Informers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GmsaOperator.Runtime.Health;

/// <summary>
/// Readiness: the caches served to readers outside controllers (webhooks) have completed their first list — with none
/// declared, every cache. Controllers wait for their own caches before they reconcile, so a replica can serve as soon
/// as what it serves from is filled, while caches only controllers read are still listing.
/// </summary>
public sealed class CachesSyncedCheck(InformerRegistry informers, RuntimeState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.InformersStarted) return Task.FromResult(HealthCheckResult.Unhealthy("informers not started"));
        var pending = (state.Served.Count > 0 ? state.Served : informers.All).Where(i => !i.HasSynced).Select(i => i.Description).ToList();
        return Task.FromResult(pending.Count == 0
            ? HealthCheckResult.Healthy("caches synced")
            : HealthCheckResult.Unhealthy($"caches not synced: {string.Join(", ", pending)}"));
    }
}
