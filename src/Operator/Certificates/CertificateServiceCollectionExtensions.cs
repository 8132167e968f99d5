using GmsaOperator.Runtime.Hosting;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace GmsaOperator.Operator.Certificates;

/// <summary>DI wiring of webhook TLS: settings, serving store, metrics, the certificate controller and the readiness check.</summary>
public static class CertificateServiceCollectionExtensions
{
    /// <summary>
    /// Registers the certificate controller, which runs on every replica (needs <c>AddOperatorRuntime</c>). Binds
    /// configuration section <c>Certificates</c>; the settings are read here, because the names they give are what the
    /// controller watches, and invalid ones throw. <paramref name="isLeader"/> resolves the leadership flag (e.g. the
    /// runtime's <c>LeaderElectionService.IsLeader</c>); without it this replica acts as leader. Add the readiness check
    /// with <c>AddHealthChecks().AddReadinessCheck&lt;ServingCertificateHealthCheck&gt;("webhook-certificate")</c>.
    /// </summary>
    public static IServiceCollection AddWebhookCertificates(this IServiceCollection services, IConfiguration? configuration = null,
        Action<CertificateSettings>? configure = null, Func<IServiceProvider, Func<bool>>? isLeader = null)
    {
        var settings = new CertificateSettings();
        configuration?.GetSection(CertificateSettings.SectionName).Bind(settings);
        configure?.Invoke(settings);
        settings.Validate();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(settings);
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton(sp => new CertificateMetrics(sp.GetRequiredService<CollectorRegistry>()));
        services.TryAddSingleton<ServingCertificateStore>();
        services.TryAddSingleton<GmsaOperator.Webhooks.Certificates.IServingCertificateProvider>(sp => sp.GetRequiredService<ServingCertificateStore>());
        services.TryAddSingleton<ServingCertificateHealthCheck>();
        services.TryAddSingleton<CertificateState>();
        services.TryAddSingleton<CertificateObserver>();
        services.TryAddSingleton<CaBundleRepairs>();
        services.TryAddSingleton<CertificateExecutor>();
        services.TryAddSingleton<CertificateCache>();
        services.TryAddSingleton(sp => new CertificateLeadership(isLeader?.Invoke(sp) ?? (() => true)));
        services.AddFixedKeyController<CertificateReconciler>(CertificateReconciler.ControllerName, CertificateReconciler.Key,
            // Readiness waits for the serving certificate, which comes from these caches.
            c => CertificateCache.Watch(c, settings).OnEveryReplica().ListsFirst());
        return services;
    }
}
