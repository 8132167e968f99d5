using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Webhooks.Bindings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GmsaOperator.Operator.Hosting;

/// <summary>
/// Serves the webhooks' binding lookups from the GmsaBinding informer (every replica runs it), via the index of the
/// service accounts bindings list: a pod's namespace and account name a handful of bindings, where its credspec can be
/// bound in every namespace of the cluster (copying those out of the index for every pod was measured on the hot path).
/// Until that cache holds its first list, the namespace's bindings are read from the API server instead: readiness
/// does not wait for the list of every binding in the cluster (seconds with 10,000 of them), and a replica answers
/// correctly from its first request.
/// </summary>
public sealed partial class InformerGmsaBindingDirectory(IObjectCache cache, ILogger<InformerGmsaBindingDirectory>? logger = null) : IGmsaBindingDirectory
{
    private readonly ILogger _logger = logger ?? NullLogger<InformerGmsaBindingDirectory>.Instance;

    public async ValueTask<IReadOnlyList<GmsaBinding>?> GrantingAsync(string @namespace, string serviceAccount, string credentialSpecName, CancellationToken cancellationToken)
    {
        IEnumerable<GmsaBinding> candidates;
        if (cache.HasSynced<GmsaBinding>())
        {
            candidates = cache.ByIndex<GmsaBinding>(GmsaBindingReconciler.ByServiceAccount, GmsaBindingReconciler.ServiceAccountIndexValue(@namespace, serviceAccount));
        }
        else
        {
            try
            {
                candidates = await cache.ListReadThroughAsync<GmsaBinding>(@namespace, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogUnreadable(e, @namespace);
                return null;
            }
        }
        return Granting(candidates, @namespace, serviceAccount, credentialSpecName);
    }

    private static IReadOnlyList<GmsaBinding> Granting(IEnumerable<GmsaBinding> candidates, string @namespace, string serviceAccount, string credentialSpecName)
    {
        List<GmsaBinding>? found = null;
        foreach (var binding in candidates)
        {
            if (binding.Metadata.NamespaceProperty != @namespace || binding.Metadata.DeletionTimestamp is not null) continue;
            if (binding.Spec?.CredentialSpecName != credentialSpecName) continue;
            if (binding.Spec?.ServiceAccounts is not { } accounts || !accounts.Contains(serviceAccount, StringComparer.Ordinal)) continue;
            (found ??= []).Add(binding);
        }
        if (found is null) return [];
        // Deterministic whatever order the informer's index keeps.
        found.Sort(static (a, b) => string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name));
        return found;
    }

    [LoggerMessage(LogLevel.Warning, "GmsaBindings of namespace {Namespace} could not be read from the API server while the binding cache is loading; the admission is refused")]
    private partial void LogUnreadable(Exception exception, string @namespace);
}
