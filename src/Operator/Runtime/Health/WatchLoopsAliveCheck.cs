using GmsaOperator.Runtime.Informers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GmsaOperator.Runtime.Health;

/// <summary>
/// Liveness: no informer's list/watch loop has ended once the runtime started them. Loops that start after the served
/// caches (see <see cref="InformerRegistry.StartAll"/>) are not dead while they wait.
/// </summary>
public sealed class WatchLoopsAliveCheck(InformerRegistry informers, RuntimeState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.InformersStarted) return Task.FromResult(HealthCheckResult.Healthy("informers not started yet"));
        var dead = informers.All.Where(i => i.HasEnded).Select(i => i.Description).ToList();
        return Task.FromResult(dead.Count == 0 || state.Stopping
            ? HealthCheckResult.Healthy($"{informers.All.Count} watch loops running")
            : HealthCheckResult.Unhealthy($"watch loops ended: {string.Join(", ", dead)}"));
    }
}
