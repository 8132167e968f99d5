namespace GmsaOperator.Runtime.Health;

/// <summary>Lifecycle flags of the runtime, read by the health checks.</summary>
public sealed class RuntimeState
{
    private volatile bool _informersStarted;
    private volatile bool _stopping;

    public bool InformersStarted { get => _informersStarted; internal set => _informersStarted = value; }

    public bool Stopping { get => _stopping; internal set => _stopping = value; }

    /// <summary>The caches that readers outside controllers depend on (declared with AddCachedKind); empty: none declared.</summary>
    public IReadOnlyList<Informers.IInformer> Served { get; internal set; } = [];
}
