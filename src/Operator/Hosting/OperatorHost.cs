using GmsaOperator.Entities.Rbac;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Operator.Reconcilers.StalePods;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Metrics;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Operator.Hosting.Shutdown;
using GmsaOperator.Operator.Monitoring;
using GmsaOperator.Runtime.LeaderElection;
using GmsaOperator.Webhooks;
using GmsaOperator.Webhooks.Certificates;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Builds the operator process: one Kubernetes client, the hosted services, and the probe endpoints.</summary>
[RequiresPermission("coordination.k8s.io", "leases", "get", "list", "watch", "create", "update", Scope = PermissionScope.OperatorNamespace,
    Reason = "leader election on the Lease configured here; watched so that a waiting replica takes over as soon as it is released")]
public static class OperatorHost
{
    /// <summary>Field manager of server-side apply and reporting controller of events.</summary>
    public const string FieldManager = "gmsa-operator";

    /// <summary>The operator namespace: <paramref name="operatorNamespace"/>, else $POD_NAMESPACE, else <c>gmsa-system</c>.</summary>
    public static string ResolveNamespace(string? operatorNamespace) => operatorNamespace
        ?? (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } podNamespace ? podNamespace : OperatorDeployment.Namespace);

    /// <param name="operatorNamespace">Namespace of the leader-election Lease: this option, else $POD_NAMESPACE, else <c>gmsa-system</c>.</param>
    /// <param name="webhooks">Webhook settings on top of configuration section <c>Webhooks</c> (port, local registration, …).</param>
    /// <param name="certificates">Certificate settings on top of configuration section <c>Certificates</c> (lifetimes, local mode, …).</param>
    /// <param name="shutdown">Graceful-shutdown settings on top of configuration section <c>Shutdown</c> (tests set the pod name here).</param>
    /// <param name="apiHandlers">Extra handlers in the API client's pipeline, inside the request metrics (tests inject faults here).</param>
    /// <param name="metrics">Metrics settings on top of configuration section <c>Metrics</c> (tests make them secure outside a pod).</param>
    /// <summary>ASP.NET's per-request hosting log category, switched off (see <see cref="Build"/>).</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static WebApplication Build(KubernetesClientConfiguration kubeConfig, string[] args, int healthPort,
        string? operatorNamespace = null, Action<WebhookOptions>? webhooks = null, Action<CertificateSettings>? certificates = null,
        Func<DelegatingHandler[]>? apiHandlers = null, Action<ShutdownOptions>? shutdown = null, Action<MetricsOptions>? metrics = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // In a pod the kubelet probes the pod IP; outside one, keep probes (and plain metrics) on loopback.
        var inPod = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 };
        builder.WebHost.UseKestrel(k =>
        {
            if (inPod) k.ListenAnyIP(healthPort);
            else k.ListenLocalhost(healthPort);
        });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // Per-request hosting/routing logs would cost more than an admission decision; keep ASP.NET's own at Warning.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // While this category logs at any level, ASP.NET creates an Activity and a logging scope for every request
        // (about a tenth of what an admission allocates, and so of its GC pauses) for per-request lines it never writes
        // at Warning. A failure to start still surfaces: Kestrel logs bind errors itself and the exception ends `run`.
        builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        builder.Services.AddSingleton<IKubernetes>(sp => new GmsaOperator.Runtime.Client.StreamingKubernetes(kubeConfig,
            [new RequestMetricsHandler(sp.GetRequiredService<RuntimeMetrics>()), .. apiHandlers?.Invoke() ?? []]));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<ClusterConnectionReporter>();
        var leaseNamespace = ResolveNamespace(operatorNamespace);
        builder.Services.AddOperatorRuntime(o =>
        {
            o.FieldManager = FieldManager;
            o.LeaderElection.LeaseName = OperatorDeployment.LeaderLeaseName;
            o.LeaderElection.Namespace = leaseNamespace;
            // Service accounts are read by name only (binding status, admission warnings), and a cluster has tens of
            // thousands: cache which exist, nothing else.
            // Credspecs and bindings are what users `kubectl apply` from files; the copy kubectl keeps in an annotation
            // is read by nothing here, and their writes are status patches only.
            o.Informers = o.Informers with
            {
                NamesOnly = new HashSet<Type> { typeof(k8s.Models.V1ServiceAccount) },
                WithoutLastApplied = new HashSet<Type> { typeof(GmsaOperator.Entities.CredentialSpecs.GmsaCredentialSpec), typeof(GmsaOperator.Entities.Bindings.GmsaBinding) },
            };
        });
        builder.Services.AddGmsaReconcilers();
        builder.Services.AddStalePodTracking(builder.Configuration);
        // The webhooks answer from caches every replica runs, and none of them gates readiness: bindings are read from
        // the API server per namespace until their cache is in, credspecs and service accounts with a live GET on a
        // miss. A replica is ready once it has its serving certificate, and answers correctly before the lists
        // (seconds with tens of thousands of objects) are in; the controllers declare the informers.
        builder.Services.AddSingleton<GmsaOperator.Webhooks.Bindings.IGmsaBindingDirectory, InformerGmsaBindingDirectory>();
        builder.Services.AddSingleton<GmsaOperator.Webhooks.CredentialSpecs.ICredentialSpecCache, InformerCredentialSpecCache>();
        builder.Services.AddSingleton<GmsaOperator.Webhooks.Admission.KubernetesServiceAccountDirectory>();
        builder.Services.AddSingleton<GmsaOperator.Webhooks.Admission.IServiceAccountDirectory, InformerServiceAccountDirectory>();
        // Certificates before webhooks: the webhook listener and local registration consume the managed certificate.
        builder.Services.AddWebhookCertificates(builder.Configuration, s =>
        {
            s.Namespace = leaseNamespace;
            certificates?.Invoke(s);
        }, isLeader: sp => () => sp.GetRequiredService<LeaderElectionService>().IsLeader);
        builder.Services.AddHealthChecks().AddReadinessCheck<ServingCertificateHealthCheck>("webhook-certificate");
        builder.Services.AddOperatorMonitoring();
        builder.Services.AddGmsaWebhooks(builder.Configuration, o =>
        {
            o.OperatorNamespace = leaseNamespace;
            webhooks?.Invoke(o);
        });
        builder.Services.AddMetricsServing(builder.Configuration, inPod, leaseNamespace, metrics);
        AddGracefulShutdown(builder, leaseNamespace, shutdown);

        var app = builder.Build();
        var shutdownState = app.Services.GetRequiredService<ShutdownState>();
        // While draining, HTTP/1.1 callers close their pooled connection after each answer, so their next request dials
        // through the Service again and reaches a replica that stays (HTTP/2 callers get GOAWAY when Kestrel stops).
        app.Use((context, next) =>
        {
            if (shutdownState.Draining) context.Response.Headers.Connection = "close";
            return next(context);
        });
        app.UseOperatorMonitoring();
        app.UseGmsaWebhooks();
        app.MapMetricsAndProbes(); // /healthz, /readyz on the plain-HTTP health port; /metrics there too, or on its own HTTPS port
        return app;
    }

    /// <summary>
    /// Drop readiness, keep serving until this pod left the webhook Service's Endpoints, then stop Kestrel. Registered
    /// after the webhooks so its StoppingAsync runs first of all (lifecycle hooks stop in reverse order), and in any case
    /// before Kestrel's StopAsync.
    /// </summary>
    private static void AddGracefulShutdown(WebApplicationBuilder builder, string @namespace, Action<ShutdownOptions>? configure)
    {
        var options = builder.Services.AddOptions<ShutdownOptions>().Configure(o =>
        {
            o.PodName = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : null;
            o.PodNamespace = @namespace;
        });
        options.Bind(builder.Configuration.GetSection(ShutdownOptions.SectionName));
        if (configure is not null) options.Configure(configure);
        options.Validate(o => o.DrainTimeout >= TimeSpan.Zero && o.SettleDelay >= TimeSpan.Zero && o.OutsidePodDelay >= TimeSpan.Zero && o.LingerTimeout >= TimeSpan.Zero,
                "Shutdown:DrainTimeout, SettleDelay, LingerTimeout and OutsidePodDelay must not be negative")
            .Validate(o => o.Timeout > o.DrainTimeout && o.Timeout > o.OutsidePodDelay, "Shutdown:Timeout must be longer than the drain")
            .ValidateOnStart();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);
        builder.Services.AddSingleton<ShutdownState>();
        builder.Services.AddSingleton<ITcpSocketTable, ProcNetTcpSocketTable>();
        builder.Services.AddHealthChecks().AddReadinessCheck<ShutdownReadinessCheck>("shutdown");
        builder.Services.AddHostedService<WebhookDrainService>();
    }
}
