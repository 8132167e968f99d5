using GmsaOperator.Runtime.Informers;

namespace GmsaOperator.Runtime.Hosting;

/// <summary>A kind cached for readers other than controllers (<see cref="OperatorRuntimeServiceCollectionExtensions.AddCachedKind{T}"/>).</summary>
public sealed record CachedKind(Action<InformerRegistry> Declare);
