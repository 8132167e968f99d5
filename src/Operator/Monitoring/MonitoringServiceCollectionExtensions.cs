using GmsaOperator.Entities.Bindings;
using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.Metrics;
using GmsaOperator.Webhooks.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GmsaOperator.Operator.Monitoring;

/// <summary>The operator's own metrics beyond the runtime's and the certificates': what the alert rules (<see cref="AlertRules"/>) read.</summary>
public static class MonitoringServiceCollectionExtensions
{
    /// <summary>Admission outcomes and GmsaBinding readiness. Call before <c>AddGmsaWebhooks</c> (it only adds a counter-less default).</summary>
    public static IServiceCollection AddOperatorMonitoring(this IServiceCollection services)
    {
        services.AddSingleton<IAdmissionMetrics>(sp => new PrometheusAdmissionMetrics(sp.GetRequiredService<RuntimeMetrics>().Registry));
        services.AddSingleton(sp =>
        {
            var informer = sp.GetRequiredService<InformerRegistry>().For<GmsaBinding>();
            return new GmsaBindingReadinessMetrics(sp.GetRequiredService<RuntimeMetrics>().Registry,
                () => informer.HasSynced ? GmsaBindingReadinessMetrics.Count(informer.Store) : null);
        });
        return services;
    }

    /// <summary>Creates the collectors that nothing else asks for before the first scrape.</summary>
    public static void UseOperatorMonitoring(this WebApplication app) => app.Services.GetRequiredService<GmsaBindingReadinessMetrics>();
}
