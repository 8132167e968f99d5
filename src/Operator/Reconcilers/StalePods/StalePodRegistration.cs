using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Hosting;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>Declares the stale-pod controller: bindings, the labelled pods of their namespaces, and their credential specs.</summary>
public static class StalePodRegistration
{
    public static IServiceCollection AddStalePodTracking(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RolloutOptions>()
            .Bind(configuration.GetSection(RolloutOptions.SectionName))
            .Validate(o => o.MaxConcurrentRestarts > 0, "Rollout:MaxConcurrentRestarts must be positive")
            .Validate(o => o.RestartTimeout > TimeSpan.Zero, "Rollout:RestartTimeout must be positive")
            .ValidateOnStart();
        services.TryAddSingleton<WorkloadResolver>();
        services.TryAddSingleton<WorkloadRestarter>();
        services.TryAddSingleton<RolloutGate>();
        services.TryAddSingleton<OnceMemory>();
        services.TryAddSingleton(sp => new StalePodMetrics(sp.GetRequiredService<CollectorRegistry>()));

        services.AddController<StalePodReconciler, GmsaBinding>(StalePodReconciler.ControllerName, c => c
            .WithWorkers(2)
            .WithPrimaryFilter(EventFilters.GenerationChanged)
            .WithIndex(GmsaBindingReconciler.ByCredentialSpec, b => [b.Spec.CredentialSpecName])
            .WithIndex(GmsaBindingReconciler.ByNamespace, b => [b.Metadata.NamespaceProperty])
            .WatchesViaIndex<GmsaCredentialSpec>(GmsaBindingReconciler.ByCredentialSpec, spec => [spec.Metadata.Name])
            // Only labelled pods are listed and watched; a pod change looks at the bindings of its namespace.
            .WatchesViaIndex<V1Pod>(GmsaBindingReconciler.ByNamespace, pod => [pod.Metadata.NamespaceProperty], StalePodReconciler.PodScope));
        return services;
    }
}
