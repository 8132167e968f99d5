using GmsaOperator.Runtime.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace GmsaOperator.Runtime.Hosting;

/// <summary>Maps /healthz (liveness), /readyz (readiness) and, unless served apart, /metrics (Prometheus text) on the plain-HTTP health port.</summary>
public static class OperatorRuntimeEndpoints
{
    /// <param name="metrics">False when /metrics is served on its own authenticated port (<see cref="Metrics.Security.SecureMetricsEndpoint"/>).</param>
    public static IEndpointRouteBuilder MapOperatorRuntimeEndpoints(this IEndpointRouteBuilder endpoints, bool metrics = true)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Live) });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready) });
        if (metrics) endpoints.MapMetrics("/metrics", endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>());
        return endpoints;
    }
}
