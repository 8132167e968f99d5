using GmsaOperator.Runtime.Informers;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>A declared controller: its name, reconciler, primary kind, watches, indexes and tuning. Built by <see cref="ControllerBuilder{TPrimary}"/>.</summary>
public sealed class ControllerDefinition
{
    internal ControllerDefinition(string name, Type reconcilerType, Type primaryType)
    {
        Name = name;
        ReconcilerType = reconcilerType;
        PrimaryType = primaryType;
    }

    public string Name { get; }

    public Type ReconcilerType { get; }

    public Type PrimaryType { get; }

    public int Workers { get; internal set; } = 1;

    /// <summary>Every primary object is reconciled again this often (controller-runtime's SyncPeriod, 10 h).</summary>
    public TimeSpan ResyncPeriod { get; } = TimeSpan.FromHours(10);

    internal List<WatchSource> Sources { get; } = [];

    internal List<Action<InformerRegistry>> Indexes { get; } = [];

    internal Func<InformerRegistry, IEnumerable<ObjectKey>> PrimaryKeys { get; set; } = _ => [];

    /// <summary>Creates the informers and indexes this controller needs (before the informers start).</summary>
    internal void Prepare(InformerRegistry informers)
    {
        foreach (var index in Indexes) index(informers);
        foreach (var source in Sources) source.Informer(informers);
    }
}
