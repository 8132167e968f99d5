using GmsaOperator.Runtime.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace GmsaOperator.Runtime.Hosting;

/// <summary>Maps /healthz (liveness), /readyz (readiness) and /metrics (Prometheus text) on the plain-HTTP health port.</summary>
public static class OperatorRuntimeEndpoints
{
    public static IEndpointRouteBuilder MapOperatorRuntimeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Live) });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready) });
        endpoints.MapMetrics("/metrics", endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>());
        return endpoints;
    }
}
