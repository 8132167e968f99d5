using k8s;

namespace GmsaOperator.Operator.Runtime.Informers;

/// <summary>List and watch one kind (optionally in one namespace, with a label selector).</summary>
public interface IResourceSource<T>
{
    Task<ResourceList<T>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="resourceVersion"/> with bookmarks. Status errors in the stream (410 Gone) go to <paramref name="onError"/>.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);
}
