using GmsaOperator.Runtime.Informers;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>
/// A declared controller: its name, reconciler, primary kind (none for a fixed-key controller), watches, indexes and
/// tuning. Built by <see cref="ControllerBuilder{TPrimary}"/> or <see cref="FixedKeyControllerBuilder"/>.
/// </summary>
public sealed class ControllerDefinition
{
    internal ControllerDefinition(string name, Type reconcilerType, Type? primaryType)
    {
        Name = name;
        ReconcilerType = reconcilerType;
        PrimaryType = primaryType;
    }

    public string Name { get; }

    public Type ReconcilerType { get; }

    /// <summary>The kind whose keys are reconciled; null for a fixed-key controller.</summary>
    public Type? PrimaryType { get; }

    public int Workers { get; internal set; } = 1;

    /// <summary>Runs only while this replica leads (the default), or on every replica from start.</summary>
    public bool RequiresLeadership { get; internal set; } = true;

    /// <summary>The primary keys are queued once the caches synced, not only on events (a fixed key may have no object behind it).</summary>
    internal bool QueueKeysAtStart { get; set; }

    /// <summary>Its watched caches list first and gate readiness, like those declared with <c>AddCachedKind</c>.</summary>
    public bool ListsFirst { get; internal set; }

    /// <summary>Every primary object is reconciled again this often (controller-runtime's SyncPeriod, 10 h).</summary>
    public TimeSpan ResyncPeriod { get; } = TimeSpan.FromHours(10);

    internal List<WatchSource> Sources { get; } = [];

    internal List<Action<InformerRegistry>> Indexes { get; } = [];

    internal Func<InformerRegistry, IEnumerable<ObjectKey>> PrimaryKeys { get; set; } = _ => [];

    /// <summary>The informers of its watches (declared on first call).</summary>
    internal IEnumerable<IInformer> WatchedInformers(InformerRegistry informers) => Sources.Select(source => source.Informer(informers));

    /// <summary>Creates the informers and indexes this controller needs (before the informers start).</summary>
    internal void Prepare(InformerRegistry informers)
    {
        foreach (var index in Indexes) index(informers);
        foreach (var source in Sources) source.Informer(informers);
    }
}
