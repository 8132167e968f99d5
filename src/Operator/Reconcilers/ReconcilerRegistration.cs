using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Hosting;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Declares the two GMSA controllers and what each watches.</summary>
public static class ReconcilerRegistration
{
    public static IServiceCollection AddGmsaReconcilers(this IServiceCollection services)
    {
        // Several workers: different keys reconcile in parallel (one key is never run twice at once).
        services.AddController<CredentialSpecReconciler, GmsaCredentialSpec>(CredentialSpecReconciler.ControllerName, c => c
            .WithWorkers(2)
            .Owns<V1ClusterRole>()
            // An unmanaged ClusterRole with our name going away lets us generate ours.
            .Watches<V1ClusterRole>(role => CredentialSpecOf(role) is { } name ? [new(null, name)] : []));

        services.AddController<GmsaBindingReconciler, GmsaBinding>(GmsaBindingReconciler.ControllerName, c => c
            .WithWorkers(8)
            // Its own status writes must not trigger another reconcile: only spec changes (and related kinds) do.
            .WithPrimaryFilter(EventFilters.GenerationChanged)
            .WithIndex(GmsaBindingReconciler.ByCredentialSpec, b => [b.Spec.CredentialSpecName])
            .WithIndex(GmsaBindingReconciler.ByServiceAccount, b => b.Spec.ServiceAccounts.Select(sa => GmsaBindingReconciler.ServiceAccountIndexValue(b.Metadata.NamespaceProperty, sa)))
            .Owns<V1RoleBinding>()
            .WatchesViaIndex<GmsaCredentialSpec>(GmsaBindingReconciler.ByCredentialSpec, spec => [spec.Metadata.Name])
            .WatchesViaIndex<V1ClusterRole>(GmsaBindingReconciler.ByCredentialSpec, role => CredentialSpecOf(role) is { } name ? [name] : [])
            // A service account appearing or going matters only to the bindings that list it (a namespace may have thousands).
            .WatchesViaIndex<V1ServiceAccount>(GmsaBindingReconciler.ByServiceAccount, sa => [GmsaBindingReconciler.ServiceAccountIndexValue(sa.Metadata.NamespaceProperty, sa.Metadata.Name)]));
        return services;
    }

    /// <summary>The credential spec a ClusterRole with a generated name is for (owner reference, else the name's suffix).</summary>
    private static string? CredentialSpecOf(V1ClusterRole role)
    {
        var owner = role.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == GmsaCredentialSpec.EntityKind);
        if (owner is not null) return owner.Name;
        var name = role.Metadata.Name;
        // A cut name does not contain the credential spec's name; its spec is found through the ownerReference only.
        return name.StartsWith(GeneratedNames.ClusterRolePrefix, StringComparison.Ordinal) && !GeneratedNames.IsTruncated(name, GeneratedNames.ClusterRolePrefix)
            ? name[GeneratedNames.ClusterRolePrefix.Length..]
            : null;
    }
}
