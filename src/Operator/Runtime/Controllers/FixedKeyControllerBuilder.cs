using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>
/// Declares a controller with one constant key: every change of every watched object queues that key, so a burst of
/// events is one reconcile (the queue's dedupe coalesces them) that looks at the whole set. The key is also queued when
/// the caches have synced and on every resync, so the reconciler runs even when nothing it watches exists.
/// </summary>
public sealed class FixedKeyControllerBuilder
{
    internal FixedKeyControllerBuilder(ControllerDefinition definition, ObjectKey key)
    {
        Definition = definition;
        Key = key;
        definition.PrimaryKeys = _ => [key];
        definition.QueueKeysAtStart = true;
    }

    internal ControllerDefinition Definition { get; }

    public ObjectKey Key { get; }

    /// <summary>Changes of <typeparamref name="T"/> in <paramref name="scope"/> (e.g. <see cref="InformerScope.Named"/>) queue the key.</summary>
    public FixedKeyControllerBuilder Watches<T>(InformerScope? scope = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Definition.Sources.Add(WatchSource.Of<T>(scope, (_, _) => [Key]));
        return this;
    }

    /// <summary>
    /// Its watched caches list first, with those declared by <c>AddCachedKind</c>, and gate readiness: for a controller
    /// that readiness itself waits on (e.g. the one loading the serving certificate), which would otherwise start
    /// behind other controllers' large lists.
    /// </summary>
    public FixedKeyControllerBuilder ListsFirst()
    {
        Definition.ListsFirst = true;
        return this;
    }

    /// <summary>Runs on every replica from start, not only on the leader (see <see cref="ControllerBuilder{TPrimary}.OnEveryReplica"/>).</summary>
    public FixedKeyControllerBuilder OnEveryReplica()
    {
        Definition.RequiresLeadership = false;
        return this;
    }
}
