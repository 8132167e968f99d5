namespace GmsaOperator.Runtime.Informers;

/// <summary>The kind-independent face of an informer, for the runtime's lifecycle and health checks.</summary>
public interface IInformer
{
    string Description { get; }

    /// <summary>True once the first list has filled the cache.</summary>
    bool HasSynced { get; }

    /// <summary>The list/watch loop is running (started and not ended).</summary>
    bool IsRunning { get; }

    /// <summary>The list/watch loop was started and has returned (a loop not started yet has not ended).</summary>
    bool HasEnded { get; }

    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Completes when the first list has been applied.</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
