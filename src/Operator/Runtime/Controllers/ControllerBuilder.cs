using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>Declares what a controller watches: its primary kind, owned kinds, related kinds mapped to primary keys, indexes.</summary>
public sealed class ControllerBuilder<TPrimary> where TPrimary : class, IKubernetesObject<V1ObjectMeta>
{
    internal ControllerBuilder(ControllerDefinition definition)
    {
        Definition = definition;
        definition.Sources.Add(new WatchSource(r => r.For<TPrimary>(), (r, enqueue) => r.For<TPrimary>().Subscribe(e =>
        {
            if (_primaryFilter is null || _primaryFilter(e)) enqueue(ObjectKey.Of(e.Object));
        })));
        definition.PrimaryKeys = r => r.For<TPrimary>().Store.Keys();
    }

    internal ControllerDefinition Definition { get; }

    private Func<InformerEvent<TPrimary>, bool>? _primaryFilter;

    /// <summary>
    /// Only changes of the primary that pass <paramref name="filter"/> enqueue it, e.g. <see cref="EventFilters.GenerationChanged{T}"/>
    /// so that a status write does not trigger another reconcile. Related kinds and the periodic resync are not filtered.
    /// </summary>
    public ControllerBuilder<TPrimary> WithPrimaryFilter(Func<InformerEvent<TPrimary>, bool> filter)
    {
        _primaryFilter = filter;
        return this;
    }

    /// <summary>
    /// Runs this controller on every replica from start (once its caches synced), not only on the leader: for work each
    /// replica does for itself, or that must not wait for a leader. The default is leader-only.
    /// </summary>
    public ControllerBuilder<TPrimary> OnEveryReplica()
    {
        Definition.RequiresLeadership = false;
        return this;
    }

    /// <summary>Number of concurrent reconciles (different keys only).</summary>
    public ControllerBuilder<TPrimary> WithWorkers(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Definition.Workers = workers;
        return this;
    }

    /// <summary>Adds a secondary index on the primary cache, e.g. "bindings by referenced name".</summary>
    public ControllerBuilder<TPrimary> WithIndex(string name, Func<TPrimary, IEnumerable<string>> values)
    {
        Definition.Indexes.Add(r => r.For<TPrimary>().Store.AddIndex(name, values));
        return this;
    }

    /// <summary>Changes of <typeparamref name="TChild"/> enqueue their controlling owner of kind <typeparamref name="TPrimary"/>.</summary>
    public ControllerBuilder<TPrimary> Owns<TChild>() where TChild : class, IKubernetesObject<V1ObjectMeta>
    {
        var owner = ResourceType.Of<TPrimary>();
        return Watches<TChild>((child, cache) => OwnerKeys(child, owner, cache));
    }

    /// <summary>
    /// Changes of <typeparamref name="TOther"/> enqueue the keys <paramref name="map"/> returns (e.g. from labels). A
    /// <paramref name="scope"/> watches only part of the kind, e.g. <see cref="InformerScope.Named"/> (a field selector).
    /// </summary>
    public ControllerBuilder<TPrimary> Watches<TOther>(Func<TOther, IEnumerable<ObjectKey>> map, InformerScope? scope = null) where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        Definition.Sources.Add(WatchSource.Of<TOther>(scope, (obj, _) => map(obj)));
        return this;
    }

    /// <summary>
    /// Changes of <typeparamref name="TOther"/> (in <paramref name="scope"/>, e.g. a label selector) enqueue every primary
    /// whose index <paramref name="primaryIndex"/> contains one of <paramref name="values"/>.
    /// </summary>
    public ControllerBuilder<TPrimary> WatchesViaIndex<TOther>(string primaryIndex, Func<TOther, IEnumerable<string>> values, InformerScope? scope = null) where TOther : class, IKubernetesObject<V1ObjectMeta> =>
        Watches<TOther>((obj, cache) => values(obj).SelectMany(v => cache.For<TPrimary>().Store.ByIndex(primaryIndex, v)).Select(ObjectKey.Of), scope);

    private ControllerBuilder<TPrimary> Watches<TOther>(Func<TOther, InformerRegistry, IEnumerable<ObjectKey>> map, InformerScope? scope = null) where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        Definition.Sources.Add(WatchSource.Of(scope, map));
        return this;
    }

    private static IEnumerable<ObjectKey> OwnerKeys(IKubernetesObject<V1ObjectMeta> child, ResourceType owner, InformerRegistry cache)
    {
        foreach (var reference in child.Metadata.OwnerReferences ?? [])
        {
            if (reference.Controller != true || reference.Kind != owner.Kind || GroupOf(reference.ApiVersion) != owner.Group) continue;
            // A namespaced owner lives in the child's namespace; a cluster-scoped owner has none. Ask the cache which exists.
            var namespaced = new ObjectKey(child.Metadata.NamespaceProperty, reference.Name);
            var clusterScoped = new ObjectKey(null, reference.Name);
            yield return namespaced.Namespace is not null && cache.For<TPrimary>().Store.Get(namespaced) is null && cache.For<TPrimary>().Store.Get(clusterScoped) is not null
                ? clusterScoped
                : namespaced;
        }
    }

    private static string GroupOf(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }
}
