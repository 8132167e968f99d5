using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Hosting;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>An in-process operator runtime with its own client, as a separate replica would have.</summary>
internal static class RuntimeHost
{
    public static IHost Build(string @namespace, string identity, Action<OperatorRuntimeOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IKubernetes>(_ => ControlPlaneSetup.NewClient());
        builder.Services.AddOperatorRuntime(o =>
        {
            o.FieldManager = "runtime-tests";
            o.WatchNamespace = @namespace;
            o.LeaderElection.Namespace = @namespace;
            o.LeaderElection.LeaseName = "test-leader";
            o.LeaderElection.Identity = identity;
            configure?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        return builder.Build();
    }
}
