using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Webhooks.Bindings;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Serves the webhooks' binding lookups from the GmsaBinding informer (every replica runs it), via the credspec index.</summary>
public sealed class InformerGmsaBindingDirectory(IObjectCache cache) : IGmsaBindingDirectory
{
    public IReadOnlyList<GmsaBinding> Granting(string @namespace, string serviceAccount, string credentialSpecName)
    {
        List<GmsaBinding>? found = null;
        foreach (var binding in cache.ByIndex<GmsaBinding>(GmsaBindingReconciler.ByCredentialSpec, credentialSpecName))
        {
            if (binding.Metadata.NamespaceProperty != @namespace || binding.Metadata.DeletionTimestamp is not null) continue;
            if (!binding.Spec.ServiceAccounts.Contains(serviceAccount, StringComparer.Ordinal)) continue;
            (found ??= []).Add(binding);
        }
        if (found is null) return [];
        // Deterministic whatever order the informer's index keeps.
        found.Sort(static (a, b) => string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name));
        return found;
    }
}
