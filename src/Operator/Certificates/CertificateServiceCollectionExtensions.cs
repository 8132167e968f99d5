using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace GmsaOperator.Operator.Certificates;

/// <summary>DI wiring of webhook TLS: settings, serving store, metrics, the manager (hosted) and the readiness check.</summary>
public static class CertificateServiceCollectionExtensions
{
    /// <summary>
    /// Registers the certificate manager. Binds configuration section <c>Certificates</c>. <paramref name="isLeader"/>
    /// resolves the leadership flag (e.g. the runtime's <c>LeaderElectionService.IsLeader</c>); without it this replica
    /// acts as leader. Needs an <see cref="IKubernetes"/> singleton. Add the readiness check with
    /// <c>AddHealthChecks().AddReadinessCheck&lt;ServingCertificateHealthCheck&gt;("webhook-certificate")</c>.
    /// </summary>
    public static IServiceCollection AddWebhookCertificates(this IServiceCollection services, IConfiguration? configuration = null,
        Action<CertificateSettings>? configure = null, Func<IServiceProvider, Func<bool>>? isLeader = null)
    {
        var options = services.AddOptions<CertificateSettings>();
        if (configuration is not null) options.Bind(configuration.GetSection(CertificateSettings.SectionName));
        if (configure is not null) options.Configure(configure);
        options.Validate(s =>
        {
            s.Validate();
            return true;
        }).ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<CertificateSettings>>().Value);
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton(sp => new CertificateMetrics(sp.GetRequiredService<CollectorRegistry>()));
        services.TryAddSingleton<ServingCertificateStore>();
        services.TryAddSingleton<GmsaOperator.Webhooks.Certificates.IServingCertificateProvider>(sp => sp.GetRequiredService<ServingCertificateStore>());
        services.TryAddSingleton<ServingCertificateHealthCheck>();
        services.TryAddSingleton(sp => new CertificateManager(
            sp.GetRequiredService<IKubernetes>(),
            sp.GetRequiredService<CertificateSettings>(),
            sp.GetRequiredService<ServingCertificateStore>(),
            sp.GetRequiredService<CertificateMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CertificateManager>>(),
            isLeader?.Invoke(sp) ?? (() => true),
            sp.GetService<GmsaOperator.Runtime.Events.IEventRecorder>()));
        services.AddHostedService(sp => sp.GetRequiredService<CertificateManager>());
        return services;
    }
}
