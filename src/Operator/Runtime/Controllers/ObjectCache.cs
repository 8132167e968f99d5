using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>Reads from the shared informers' stores.</summary>
public sealed class ObjectCache(InformerRegistry informers) : IObjectCache
{
    public T? Get<T>(ObjectKey key, InformerScope? scope = null) where T : class, IKubernetesObject<V1ObjectMeta> => informers.For<T>(scope).Store.Get(key);

    public IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        @namespace is null ? informers.For<T>().Store.List() : informers.For<T>().Store.List(@namespace);

    public IReadOnlyList<T> List<T>(InformerScope scope) where T : class, IKubernetesObject<V1ObjectMeta> => informers.For<T>(scope).Store.List();

    public IReadOnlyList<T> List<T>(InformerScope scope, string @namespace) where T : class, IKubernetesObject<V1ObjectMeta> => informers.For<T>(scope).Store.List(@namespace);

    public IReadOnlyList<T> ByIndex<T>(string index, string value) where T : class, IKubernetesObject<V1ObjectMeta> =>
        informers.For<T>().Store.ByIndex(index, value);

    public bool HasSynced<T>() where T : class, IKubernetesObject<V1ObjectMeta> => informers.For<T>().HasSynced;

    public async ValueTask<IReadOnlyList<T>> ListReadThroughAsync<T>(string @namespace, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var informer = informers.For<T>();
        return informer.HasSynced ? informer.Store.List(@namespace) : await informers.ListFromServerAsync<T>(@namespace, cancellationToken);
    }
}
