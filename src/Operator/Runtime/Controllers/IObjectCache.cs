using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>Read access to the informer caches, for reconcilers. Declare read kinds on the controller so they are synced first.</summary>
public interface IObjectCache
{
    /// <summary>The cached object, from the informer of <paramref name="scope"/> (default: the kind's unfiltered informer).</summary>
    T? Get<T>(ObjectKey key, InformerScope? scope = null) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>All cached objects of the kind, optionally only those in <paramref name="namespace"/>.</summary>
    IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>All objects cached by the informer of <paramref name="scope"/> (e.g. one watched with a field selector).</summary>
    IReadOnlyList<T> List<T>(InformerScope scope) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>The objects the informer of <paramref name="scope"/> caches in <paramref name="namespace"/>.</summary>
    IReadOnlyList<T> List<T>(InformerScope scope, string @namespace) where T : class, IKubernetesObject<V1ObjectMeta> =>
        [.. List<T>(scope).Where(o => o.Metadata.NamespaceProperty == @namespace)];

    IReadOnlyList<T> ByIndex<T>(string index, string value) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Whether the kind's unfiltered cache holds its first list; before that a miss or an empty answer says nothing.</summary>
    bool HasSynced<T>() where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>
    /// The objects of <paramref name="namespace"/>: from the cache once it has synced, before that from the API server
    /// (concurrent reads of a namespace share one request). For readers outside controllers that answer before every
    /// cache is loaded; API errors surface as exceptions.
    /// </summary>
    ValueTask<IReadOnlyList<T>> ListReadThroughAsync<T>(string @namespace, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;
}
