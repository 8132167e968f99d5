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
}
