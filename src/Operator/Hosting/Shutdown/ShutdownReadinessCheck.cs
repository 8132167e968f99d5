using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GmsaOperator.Operator.Hosting.Shutdown;

/// <summary>Readiness fails from the moment the process is stopping, so its pod leaves the Service's ready endpoints.</summary>
public sealed class ShutdownReadinessCheck(ShutdownState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Draining ? HealthCheckResult.Unhealthy("shutting down") : HealthCheckResult.Healthy("not shutting down"));
}
