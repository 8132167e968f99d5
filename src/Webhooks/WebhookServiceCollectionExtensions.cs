using System.Net;
using System.Security.Authentication;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Authorization;
using GmsaOperator.Webhooks.Certificates;
using GmsaOperator.Webhooks.CredentialSpecs;
using GmsaOperator.Webhooks.Http;
using GmsaOperator.Webhooks.Registration;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GmsaOperator.Webhooks;

/// <summary>Wires the admission webhooks into a WebApplication: services, the HTTPS Kestrel listener and the request branch.</summary>
public static class WebhookServiceCollectionExtensions
{
    // A shared review must end even if every caller gave up; the API server stops waiting on us after 5 s (the configurations' timeoutSeconds).
    private static readonly TimeSpan SharedReviewTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Input read ahead of the application per connection at each of its two stages (raw from the socket before TLS, then
    /// decrypted HTTP/1.1), defaults 1 MiB each: two TLS records, and the 32 KiB a request's headers may take.
    /// </summary>
    public const int ReadAheadPerConnection = 32 * 1024;

    /// <summary>HTTP/2's flow-control windows (defaults 1 MiB and 768 KiB): the smallest the protocol allows.</summary>
    public const int Http2Window = 65_535;

    /// <summary>
    /// Registers the webhooks. Needs an <see cref="IKubernetes"/> singleton. Optional seams: register an
    /// <see cref="ICredentialSpecCache"/> to read credspecs from the informer cache (live GET on a miss), and an
    /// <see cref="IServingCertificateProvider"/> to replace the self-signed certificate, and an <see cref="IAdmissionMetrics"/> to count outcomes. Binds section <c>Webhooks</c>;
    /// <c>RANDOM_HOSTNAME</c> (Go bool syntax, as upstream) overrides <c>Webhooks:RandomHostname</c>.
    /// </summary>
    public static IServiceCollection AddGmsaWebhooks(this IServiceCollection services, IConfiguration? configuration = null, Action<WebhookOptions>? configure = null)
    {
        var builder = services.AddOptions<WebhookOptions>();
        if (configuration is not null) builder.Bind(configuration.GetSection(WebhookOptions.SectionName));
        if (configure is not null) builder.Configure(configure);
        builder.PostConfigure(o =>
        {
            if (Environment.GetEnvironmentVariable("RANDOM_HOSTNAME") is { } randomHostname) o.RandomHostname = RandomHostname.ParseGoBool(randomHostname);
        });
        builder.Validate(o => o.Port is > 0 and < 65536, "Webhooks:Port must be between 1 and 65535")
            .Validate(o => IPAddress.TryParse(o.ListenAddress, out _), "Webhooks:ListenAddress must be an IP address")
            .Validate(o => o.AuthorizationCacheTtl >= TimeSpan.Zero, "Webhooks:AuthorizationCacheTtl must not be negative")
            .Validate(o => o.AuthorizationCacheMaxEntries > 0, "Webhooks:AuthorizationCacheMaxEntries must be positive")
            .Validate(o => o.AuthorizationMaxSharedReviews > 0, "Webhooks:AuthorizationMaxSharedReviews must be positive")
            .Validate(o => o.MaxRequestBodyBytes > 0, "Webhooks:MaxRequestBodyBytes must be positive")
            .Validate(o => o.MaxInFlightBodyBytes >= o.MaxRequestBodyBytes, "Webhooks:MaxInFlightBodyBytes must be at least Webhooks:MaxRequestBodyBytes")
            .Validate(o => o.MaxConnections > 0, "Webhooks:MaxConnections must be positive")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, ClientCaFileValidation>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IServingCertificateProvider>(sp => new SelfSignedCertificateProvider(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<LiveCredentialSpecSource>();
        services.TryAddSingleton<ICredentialSpecSource>(sp =>
        {
            var live = sp.GetRequiredService<LiveCredentialSpecSource>();
            return sp.GetService<ICredentialSpecCache>() is { } cache ? new CacheFirstCredentialSpecSource(cache, live) : live;
        });
        // Cache (allowed decisions, TTL) in front of coalescing (one review in flight per question; an allowed answer in
        // flight is shared within the same TTL, as the cache would reuse it anyway) in front of the API. One clock for both.
        services.TryAddSingleton<IAccessReviewer>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            return new CachingAccessReviewer(
                new CoalescingAccessReviewer(new SubjectAccessReviewer(sp.GetRequiredService<IKubernetes>()), SharedReviewTimeout, o.AuthorizationMaxSharedReviews,
                    shareAllowedWithin: o.AuthorizationCacheTtl, time),
                o.AuthorizationCacheTtl, o.AuthorizationCacheMaxEntries, time);
        });
        services.TryAddSingleton<IServiceAccountDirectory, KubernetesServiceAccountDirectory>();
        services.TryAddSingleton<GmsaOperator.Webhooks.Bindings.IGmsaBindingDirectory, GmsaOperator.Webhooks.Bindings.NoGmsaBindings>();
        services.TryAddSingleton<CredentialSpecResolver>();
        services.TryAddSingleton<SecureChannelRepair>();
        services.TryAddSingleton(sp => new PodMutator(sp.GetRequiredService<CredentialSpecResolver>(), sp.GetRequiredService<IOptions<WebhookOptions>>().Value.RandomHostname,
            secureChannelRepair: sp.GetRequiredService<SecureChannelRepair>())
        {
            Tracking = new PodTrackingPatches(),
            Bindings = sp.GetRequiredService<GmsaOperator.Webhooks.Bindings.IGmsaBindingDirectory>(),
        });
        services.TryAddSingleton<PodValidator>();
        services.TryAddSingleton<IWorkloadRestartReviewer, WorkloadRestartReviewer>();
        services.TryAddSingleton(sp => new GmsaBindingValidator(sp.GetRequiredService<IAccessReviewer>(), sp.GetRequiredService<IServiceAccountDirectory>(),
            sp.GetRequiredService<ICredentialSpecSource>(), sp.GetRequiredService<IWorkloadRestartReviewer>()));
        services.TryAddSingleton<IAdmissionMetrics>(NoAdmissionMetrics.Instance);
        services.TryAddSingleton(sp => new BodyBudget(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxInFlightBodyBytes, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new AdmissionEndpoint(sp.GetRequiredService<ILogger<AdmissionEndpoint>>(), sp.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxRequestBodyBytes,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IAdmissionMetrics>(), sp.GetRequiredService<BodyBudget>()));
        services.TryAddSingleton<WebhookDispatcher>();
        services.TryAddSingleton(sp => WebhookClientAuthentication.Create(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.ClientCaFile,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookClientAuthentication>>()));

        // The webhook listener: its own HTTPS port, TLS 1.2+ only, certificate chosen per handshake (hot-swappable),
        // callers optionally restricted to client certificates of Webhooks:ClientCaFile. Its memory is bounded whatever
        // arrives: connections are counted before TLS, and each buffers little unread input (the server-wide limits
        // below; health and metrics requests are tiny too), while bodies wait for the body budget unread.
        services.TryAddSingleton(sp => new WebhookConnectionLimit(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxConnections,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookConnectionLimit>>()));
        services.Configure<SocketTransportOptions>(transport => transport.MaxReadBufferSize = ReadAheadPerConnection);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<WebhookOptions>, IServingCertificateProvider, WebhookClientAuthentication, WebhookConnectionLimit>(
            (kestrel, options, certificates, clients, connections) =>
        {
            var o = options.Value;
            kestrel.Limits.MaxRequestBufferSize = ReadAheadPerConnection;
            kestrel.Limits.Http2.InitialConnectionWindowSize = Http2Window;
            kestrel.Limits.Http2.InitialStreamWindowSize = Http2Window;
            kestrel.Listen(IPAddress.Parse(o.ListenAddress), o.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(connections.Middleware);
                certificates.ConfigureHttps(listen, clients);
            });
        });

        services.AddHostedService<LocalWebhookRegistrar>();
        return services;
    }

    /// <summary>Serves the webhook paths on connections to the webhook port only; nothing else of the app is reachable there.</summary>
    public static IApplicationBuilder UseGmsaWebhooks(this IApplicationBuilder app)
    {
        var port = app.ApplicationServices.GetRequiredService<IOptions<WebhookOptions>>().Value.Port;
        var dispatcher = app.ApplicationServices.GetRequiredService<WebhookDispatcher>();
        return app.MapWhen(context => context.Connection.LocalPort == port, branch => branch.Run(dispatcher.InvokeAsync));
    }
}
