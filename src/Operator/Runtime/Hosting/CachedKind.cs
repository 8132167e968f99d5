using GmsaOperator.Runtime.Informers;

namespace GmsaOperator.Runtime.Hosting;

/// <summary>
/// A kind cached for readers other than controllers (<see cref="OperatorRuntimeServiceCollectionExtensions.AddCachedKind{T}"/>),
/// such as webhooks that answer from the cache: these caches gate readiness and list first.
/// </summary>
public sealed record CachedKind(Func<InformerRegistry, IInformer> Declare);
