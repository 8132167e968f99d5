using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Metrics.Security;
using GmsaOperator.Webhooks.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GmsaOperator.Operator.Hosting;

/// <summary>
/// Where /metrics is served. Secure (the default in a pod): HTTPS on its own port with a self-signed certificate
/// generated at start (as controller-runtime does without a configured one; scrapers skip verification or pin it),
/// only to callers allowed <c>get</c> on <c>/metrics</c> (config/rbac's metrics-reader ClusterRole). Otherwise
/// (local mode): plain HTTP on the health port, which then listens on loopback only.
/// </summary>
[RequiresPermission("authentication.k8s.io", "tokenreviews", "create", Reason = "authenticate the bearer token of a /metrics request")]
[RequiresPermission("authorization.k8s.io", "subjectaccessreviews", "create", Reason = "may the caller of /metrics get it (nonResourceURL /metrics)")]
public static class MetricsServing
{
    /// <param name="inPod">Default of <see cref="MetricsOptions.Secure"/>, and whether the HTTPS port listens on every interface or loopback only.</param>
    public static void AddMetricsServing(this IServiceCollection services, IConfiguration configuration, bool inPod, string @namespace, Action<MetricsOptions>? configure)
    {
        var options = services.AddOptions<MetricsOptions>().Configure(o => o.Secure = inPod);
        options.Bind(configuration.GetSection(MetricsOptions.SectionName));
        if (configure is not null) options.Configure(configure);
        options.Validate(o => o.Port is > 0 and < 65536, "Metrics:Port must be between 1 and 65535")
            .Validate(o => o.AuthCacheTtl >= TimeSpan.Zero, "Metrics:AuthCacheTtl must not be negative")
            .Validate(o => o.AuthCacheSize >= 0, "Metrics:AuthCacheSize must not be negative")
            .ValidateOnStart();

        services.AddSecureMetrics(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MetricsOptions>>().Value;
            return new MetricsAccessCacheSettings(o.AuthCacheTtl, o.AuthCacheSize);
        });
        services.AddSingleton(sp => new MetricsCertificate(new SelfSignedCertificateProvider(sp.GetRequiredService<TimeProvider>(),
            ServiceDnsNames(@namespace), commonName: OperatorDeployment.MetricsServiceName)));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<MetricsOptions>, IServiceProvider>((kestrel, metrics, sp) =>
        {
            var o = metrics.Value;
            if (!o.Secure) return;
            // The certificate is made only when it is served.
            var certificate = sp.GetRequiredService<MetricsCertificate>().Provider;
            void Https(ListenOptions listen) => ((IServingCertificateProvider)certificate).ConfigureHttps(listen, WebhookClientAuthentication.NotRequired);
            if (inPod) kestrel.ListenAnyIP(o.Port, Https);
            else kestrel.ListenLocalhost(o.Port, Https);
        });
    }

    /// <summary>Maps /metrics where the options say, and /healthz and /readyz on the health port; returns whether metrics are secure.</summary>
    public static bool MapMetricsAndProbes(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (metrics.Secure) app.UseSecureMetrics(metrics.Port);
        app.MapOperatorRuntimeEndpoints(metrics: !metrics.Secure);
        return metrics.Secure;
    }

    /// <summary>The metrics Service's in-cluster names, for scrapers that do verify the certificate's name.</summary>
    public static IReadOnlyList<string> ServiceDnsNames(string @namespace) =>
    [
        OperatorDeployment.MetricsServiceName,
        $"{OperatorDeployment.MetricsServiceName}.{@namespace}",
        $"{OperatorDeployment.MetricsServiceName}.{@namespace}.svc",
        $"{OperatorDeployment.MetricsServiceName}.{@namespace}.svc.cluster.local",
    ];

    /// <summary>The self-signed certificate of the metrics port (its own type: the webhooks' provider is another).</summary>
    public sealed class MetricsCertificate(SelfSignedCertificateProvider provider) : IDisposable
    {
        public SelfSignedCertificateProvider Provider { get; } = provider;

        public void Dispose() => Provider.Dispose();
    }
}
