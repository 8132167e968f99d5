using k8s;

namespace GmsaOperator.Runtime.Informers;

/// <summary>List and watch one kind (optionally in one namespace, with label and field selectors).</summary>
public interface IResourceSource<T>
{
    /// <summary>
    /// Lists everything. <paramref name="fromWatchCache"/> asks for <c>resourceVersion=0</c>: the API server answers
    /// from its watch cache in one response instead of reading etcd page by page (client-go's first list does the
    /// same); the watch that follows from the returned resourceVersion catches up on anything newer.
    /// </summary>
    Task<ResourceList<T>> ListAsync(bool fromWatchCache, CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="resourceVersion"/> with bookmarks. Status errors in the stream (410 Gone) go to <paramref name="onError"/>.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);
}
