using GmsaOperator.Webhooks;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Builds the operator process: one Kubernetes client, the hosted services, and the probe endpoints.</summary>
public static class OperatorHost
{
    /// <param name="webhooks">Webhook settings on top of configuration section <c>Webhooks</c> (port, local registration, …).</param>
    public static WebApplication Build(KubernetesClientConfiguration kubeConfig, string[] args, int healthPort, Action<WebhookOptions>? webhooks = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseKestrel(k => k.ListenLocalhost(healthPort));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddSingleton<IKubernetes>(_ => new Kubernetes(kubeConfig));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<ClusterConnectionReporter>();
        builder.Services.AddHealthChecks();
        builder.Services.AddGmsaWebhooks(builder.Configuration, webhooks);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var app = builder.Build();
        app.UseGmsaWebhooks();
        app.MapHealthChecks("/healthz");
        app.MapHealthChecks("/readyz");
        return app;
    }
}
