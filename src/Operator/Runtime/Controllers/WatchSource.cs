using GmsaOperator.Runtime.Informers;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>One informer a controller depends on, and how its changes become keys of the controller's primary kind.</summary>
internal sealed record WatchSource(Func<InformerRegistry, IInformer> Informer, Func<InformerRegistry, Action<ObjectKey>, IDisposable?> Subscribe);
