using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>One informer a controller depends on, and how its changes become keys of the controller's primary kind.</summary>
internal sealed record WatchSource(Func<InformerRegistry, IInformer> Informer, Func<InformerRegistry, Action<ObjectKey>, IDisposable?> Subscribe)
{
    /// <summary>Changes of <typeparamref name="T"/> in <paramref name="scope"/> enqueue the keys <paramref name="map"/> returns for the new and the old object.</summary>
    public static WatchSource Of<T>(InformerScope? scope, Func<T, InformerRegistry, IEnumerable<ObjectKey>> map) where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(r => r.For<T>(scope), (r, enqueue) => r.For<T>(scope).Subscribe(e =>
        {
            foreach (var key in map(e.Object, r)) enqueue(key);
            if (e.Old is not null)
            {
                foreach (var key in map(e.Old, r)) enqueue(key);
            }
        }));
}
