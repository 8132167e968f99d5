using GmsaOperator.Runtime.Informers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GmsaOperator.Runtime.Health;

/// <summary>Liveness: every informer's list/watch loop is still running once the runtime has started them.</summary>
public sealed class WatchLoopsAliveCheck(InformerRegistry informers, RuntimeState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.InformersStarted) return Task.FromResult(HealthCheckResult.Healthy("informers not started yet"));
        var dead = informers.All.Where(i => !i.IsRunning).Select(i => i.Description).ToList();
        return Task.FromResult(dead.Count == 0 || state.Stopping
            ? HealthCheckResult.Healthy($"{informers.All.Count} watch loops running")
            : HealthCheckResult.Unhealthy($"watch loops ended: {string.Join(", ", dead)}"));
    }
}
