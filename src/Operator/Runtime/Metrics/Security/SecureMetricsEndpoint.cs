using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace GmsaOperator.Runtime.Metrics.Security;

/// <summary>/metrics behind <see cref="MetricsAccessFilter"/> on a port of its own (HTTPS: the host configures the listener).</summary>
public static class SecureMetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>
    /// Registers the filter with the API server's TokenReview and SubjectAccessReview (needs an <see cref="IKubernetes"/>
    /// singleton and <c>create</c> on <c>tokenreviews</c> and <c>subjectaccessreviews</c>).
    /// </summary>
    public static IServiceCollection AddSecureMetrics(this IServiceCollection services, Func<IServiceProvider, MetricsAccessCacheSettings> cache)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMetricsAuthenticator>(sp => new TokenReviewAuthenticator(sp.GetRequiredService<IKubernetes>()));
        services.TryAddSingleton<IMetricsAuthorizer>(sp => new SubjectAccessReviewAuthorizer(sp.GetRequiredService<IKubernetes>()));
        services.TryAddSingleton(sp => new MetricsAccessFilter(sp.GetRequiredService<IMetricsAuthenticator>(), sp.GetRequiredService<IMetricsAuthorizer>(),
            cache(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MetricsAccessFilter>>()));
        return services;
    }

    /// <summary>
    /// Connections to <paramref name="port"/> reach only this branch: every request is authenticated and authorised
    /// first (so unauthenticated callers cannot even probe paths), then /metrics is served and anything else is 404.
    /// </summary>
    public static IApplicationBuilder UseSecureMetrics(this IApplicationBuilder app, int port)
    {
        var filter = app.ApplicationServices.GetRequiredService<MetricsAccessFilter>();
        var registry = app.ApplicationServices.GetRequiredService<CollectorRegistry>();
        return app.MapWhen(context => context.Connection.LocalPort == port, branch =>
        {
            branch.Use(async (context, next) =>
            {
                var request = context.Request;
                var (access, user) = await filter.CheckAsync(request.Headers.Authorization, request.Method, request.Path.Value ?? "/", context.RequestAborted);
                if (access == MetricsAccess.Allowed)
                {
                    await next(context);
                    return;
                }
                context.Response.StatusCode = access switch
                {
                    MetricsAccess.Unauthenticated => StatusCodes.Status401Unauthorized,
                    MetricsAccess.Forbidden => StatusCodes.Status403Forbidden,
                    _ => StatusCodes.Status500InternalServerError,
                };
                await context.Response.WriteAsync(access switch
                {
                    MetricsAccess.Unauthenticated => "Unauthorized\n",
                    MetricsAccess.Forbidden => $"Authorization denied for user {user}\n",
                    _ => $"Authorization for user {user} failed\n",
                }, context.RequestAborted);
            });
            branch.UseMetricServer(Path, registry);
            branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
    }
}
