using GmsaOperator.Entities.Rbac;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Operator.Runtime.Hosting;
using GmsaOperator.Operator.Runtime.Metrics;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Operator.Runtime.LeaderElection;
using GmsaOperator.Webhooks;
using GmsaOperator.Webhooks.Certificates;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Builds the operator process: one Kubernetes client, the hosted services, and the probe endpoints.</summary>
[RequiresPermission("coordination.k8s.io", "leases", "get", "create", "update", Scope = PermissionScope.OperatorNamespace,
    Reason = "leader election on the Lease configured here")]
public static class OperatorHost
{
    /// <summary>Field manager of server-side apply and reporting controller of events.</summary>
    public const string FieldManager = "gmsa-operator";

    /// <param name="operatorNamespace">Namespace of the leader-election Lease: this option, else $POD_NAMESPACE, else <c>gmsa-system</c>.</param>
    /// <param name="webhooks">Webhook settings on top of configuration section <c>Webhooks</c> (port, local registration, …).</param>
    /// <param name="certificates">Certificate settings on top of configuration section <c>Certificates</c> (lifetimes, local mode, …).</param>
    /// <param name="apiHandlers">Extra handlers in the API client's pipeline, inside the request metrics (tests inject faults here).</param>
    public static WebApplication Build(KubernetesClientConfiguration kubeConfig, string[] args, int healthPort,
        string? operatorNamespace = null, Action<WebhookOptions>? webhooks = null, Action<CertificateSettings>? certificates = null,
        Func<DelegatingHandler[]>? apiHandlers = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // In a pod the kubelet probes the pod IP; outside one, keep probes and metrics on loopback.
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
        builder.Services.AddSingleton<IKubernetes>(sp => new Kubernetes(kubeConfig,
            [new RequestMetricsHandler(sp.GetRequiredService<RuntimeMetrics>()), .. apiHandlers?.Invoke() ?? []]));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<ClusterConnectionReporter>();
        var leaseNamespace = operatorNamespace
            ?? (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } podNamespace ? podNamespace : OperatorDeployment.Namespace);
        builder.Services.AddOperatorRuntime(o =>
        {
            o.FieldManager = FieldManager;
            o.LeaderElection.LeaseName = "gmsa-operator-leader";
            o.LeaderElection.Namespace = leaseNamespace;
        });
        builder.Services.AddGmsaReconcilers();
        builder.Services.AddSingleton<GmsaOperator.Webhooks.CredentialSpecs.ICredentialSpecCache, InformerCredentialSpecCache>();
        builder.Services.AddSingleton<GmsaOperator.Webhooks.Admission.KubernetesServiceAccountDirectory>();
        builder.Services.AddSingleton<GmsaOperator.Webhooks.Admission.IServiceAccountDirectory, InformerServiceAccountDirectory>();
        // Certificates before webhooks: the webhook listener and local registration consume the managed certificate.
        builder.Services.AddWebhookCertificates(builder.Configuration, s =>
        {
            s.Namespace = leaseNamespace;
            certificates?.Invoke(s);
        }, isLeader: sp => () => sp.GetRequiredService<LeaderElectionService>().IsLeader);
        builder.Services.AddSingleton<IServingCertificateProvider, ManagedServingCertificateProvider>();
        builder.Services.AddHealthChecks().AddReadinessCheck<ServingCertificateHealthCheck>("webhook-certificate");
        builder.Services.AddGmsaWebhooks(builder.Configuration, o =>
        {
            o.OperatorNamespace = leaseNamespace;
            webhooks?.Invoke(o);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var app = builder.Build();
        app.UseGmsaWebhooks();
        app.MapOperatorRuntimeEndpoints(); // /healthz, /readyz, /metrics on the plain-HTTP health port
        return app;
    }
}
