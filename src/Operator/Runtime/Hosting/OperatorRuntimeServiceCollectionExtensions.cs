using System.Diagnostics.CodeAnalysis;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Events;
using GmsaOperator.Runtime.Health;
using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.LeaderElection;
using GmsaOperator.Runtime.Metrics;
using GmsaOperator.Runtime.Writes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace GmsaOperator.Runtime.Hosting;

/// <summary>DI registration of the runtime and of controllers.</summary>
public static class OperatorRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers informers, cache, controllers' manager, leader election, writer, events, metrics and health checks.
    /// Needs an <see cref="IKubernetes"/> singleton (create it with <see cref="RequestMetricsHandler"/> for client metrics).
    /// </summary>
    public static IServiceCollection AddOperatorRuntime(this IServiceCollection services, Action<OperatorRuntimeOptions>? configure = null)
    {
        var options = new OperatorRuntimeOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddSingleton(options.LeaderElection);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        services.TryAddSingleton<RuntimeMetrics>(sp => new RuntimeMetrics(sp.GetRequiredService<CollectorRegistry>()));
        services.TryAddSingleton<RuntimeState>();
        services.TryAddSingleton<InformerRegistry>();
        services.TryAddSingleton<IObjectCache, ObjectCache>();
        services.TryAddSingleton<ControllerManager>();
        services.TryAddSingleton<LeaderElectionErrorLog>();
        services.TryAddSingleton<ILeaseLockFactory, LeaseLockFactory>();
        services.TryAddSingleton<ILeaseReleaseWatcher, LeaseReleaseWatcher>();
        services.TryAddSingleton<LeaderElectionService>();
        services.TryAddSingleton(sp => KubernetesResilience.Create(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IObjectWriter>(sp => new ObjectWriter(sp.GetRequiredService<IKubernetes>(), options, sp.GetRequiredService<Polly.ResiliencePipeline>()));
        services.TryAddSingleton<EventRecorder>();
        services.TryAddSingleton<IEventRecorder>(sp => sp.GetRequiredService<EventRecorder>());
        services.AddHostedService<EventSink>();
        services.AddHostedService<OperatorRuntimeService>();
        services.AddHealthChecks()
            .AddCheck<WatchLoopsAliveCheck>("watch-loops", tags: [HealthTags.Live])
            .AddCheck<CachesSyncedCheck>("caches-synced", tags: [HealthTags.Ready]);
        return services;
    }

    /// <summary>Declares a controller: <typeparamref name="TReconciler"/> (scoped, one per reconcile) reconciles keys of <typeparamref name="TPrimary"/>.</summary>
    public static IServiceCollection AddController<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TReconciler, TPrimary>(this IServiceCollection services, string name,
        Action<ControllerBuilder<TPrimary>>? configure = null)
        where TReconciler : class, IReconciler
        where TPrimary : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var builder = new ControllerBuilder<TPrimary>(new ControllerDefinition(name, typeof(TReconciler), typeof(TPrimary)));
        configure?.Invoke(builder);
        services.TryAddScoped<TReconciler>();
        services.AddSingleton(builder.Definition);
        return services;
    }

    /// <summary>
    /// Declares a controller with one constant <paramref name="key"/>: every watched change queues it, and
    /// <typeparamref name="TReconciler"/> (scoped) looks at the whole watched set each time. For singletons such as
    /// "the webhook certificates"; <see cref="Queue.ReconcileResult.After"/> schedules the next check.
    /// </summary>
    public static IServiceCollection AddFixedKeyController<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TReconciler>(this IServiceCollection services,
        string name, ObjectKey key, Action<FixedKeyControllerBuilder> configure)
        where TReconciler : class, IReconciler
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var builder = new FixedKeyControllerBuilder(new ControllerDefinition(name, typeof(TReconciler), primaryType: null), key);
        configure(builder);
        services.TryAddScoped<TReconciler>();
        services.AddSingleton(builder.Definition);
        return services;
    }

    /// <summary>
    /// Caches <typeparamref name="T"/> for readers other than controllers (e.g. webhooks answering from the cache): it is
    /// watched from the start and counts towards /readyz like every informer. Reading an undeclared kind throws.
    /// </summary>
    public static IServiceCollection AddCachedKind<T>(this IServiceCollection services) where T : class, IKubernetesObject<V1ObjectMeta> =>
        services.AddSingleton(new CachedKind(r => r.For<T>()));

    /// <summary>Adds a check that gates /readyz (e.g. "webhook certificate loaded").</summary>
    public static IHealthChecksBuilder AddReadinessCheck<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IHealthChecksBuilder builder, string name) where T : class, IHealthCheck =>
        builder.AddCheck<T>(name, tags: [HealthTags.Ready]);
}
