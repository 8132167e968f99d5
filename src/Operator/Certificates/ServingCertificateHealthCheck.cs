using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Readiness: healthy only while a valid serving certificate trusted by every webhook configuration is loaded.</summary>
public sealed class ServingCertificateHealthCheck(ServingCertificateStore source) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(source.IsReady(out var reason) ? HealthCheckResult.Healthy(reason) : HealthCheckResult.Unhealthy(reason));
}
