using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// List-then-watch loop for one kind feeding an <see cref="ObjectStore{T}"/> and its subscribers. Resumes from the last
/// resourceVersion seen (events and bookmarks), relists on 410 (synthesising deletes for objects that vanished),
/// backs off on errors, and relists when the watchdog sees no traffic for longer than the watch timeout.
/// </summary>
public sealed partial class Informer<T> : IInformer where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IResourceSource<T> _source;
    private readonly InformerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly Lock _dispatchLock = new();
    private readonly List<Action<InformerEvent<T>>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _running;
    private volatile bool _ended;

    /// <param name="store">The store to fill (a names-only one for such kinds); a plain one when null.</param>
    public Informer(IResourceSource<T> source, string description, InformerOptions options, TimeProvider time, ILogger logger, Func<double>? random = null,
        ObjectStore<T>? store = null)
    {
        Store = store ?? new ObjectStore<T>();
        _source = source;
        Description = description;
        _options = options;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    public string Description { get; }

    public ObjectStore<T> Store { get; }

    public bool HasSynced => _synced.Task.IsCompleted;

    public bool IsRunning => _running;

    public bool HasEnded => _ended;

    /// <summary>The resourceVersion the next watch resumes from.</summary>
    public string? LastResourceVersion { get; private set; }

    /// <summary>Completes when the first list has been applied.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Subscribes to cache changes; the current content is replayed as adds first. Handlers must be quick and not throw.</summary>
    public IDisposable Subscribe(Action<InformerEvent<T>> handler)
    {
        lock (_dispatchLock)
        {
            foreach (var obj in Store.List()) handler(new InformerEvent<T>(InformerEventType.Added, obj, null));
            _handlers.Add(handler);
        }
        return new Unsubscriber(this, handler);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _running = true;
        var backoff = new WatchBackoff(_options.InitialBackoff, _options.MaxBackoff, _options.BackoffResetAfter, _time, _random);
        var relist = true;
        // Only the first list may come from the watch cache: after a 410 or an outage that cache can be older than what
        // we already hold, and a relist must not go back in time (client-go makes the same distinction).
        var firstList = true;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan? delay = null;
                try
                {
                    if (relist)
                    {
                        var list = await _source.ListAsync(fromWatchCache: firstList, cancellationToken);
                        ApplyList(list.Items);
                        LastResourceVersion = list.ResourceVersion;
                        relist = false;
                        firstList = false;
                        _synced.TrySetResult();
                        LogListed(Description, list.Items.Count, list.ResourceVersion);
                    }
                    var events = await WatchOnceAsync(LastResourceVersion!, cancellationToken);
                    if (events == 0) delay = backoff.Next(); // an empty close right away: do not spin
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (ResourceVersionExpiredException e)
                {
                    LogExpired(Description, LastResourceVersion, e.Message);
                    relist = true;
                }
                catch (Exception e) when (IsEmptyClose(e))
                {
                    // csharp #1507: a watch closed by the server with no objects surfaces as EndOfStream; a normal close.
                    delay = backoff.Next();
                }
                catch (Exception e)
                {
                    delay = backoff.Next();
                    LogWatchFailed(e, Description, delay.Value.TotalMilliseconds);
                    // A failed list leaves relist set; a failed watch resumes from the last resourceVersion.
                }
                if (delay is { } d && d > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(d, _time, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            _running = false;
            _ended = true;
        }
    }

    private async Task<int> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var min = _options.MinWatchTimeout.TotalSeconds;
        var timeoutSeconds = (int)(min + (_options.MaxWatchTimeout.TotalSeconds - min) * _random());
        var idleLimit = TimeSpan.FromSeconds(timeoutSeconds) + _options.WatchdogMargin;
        using var watchCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? streamError = null;
        var watchdogFired = false;
        using var watchdog = _time.CreateTimer(_ =>
        {
            watchdogFired = true;
            watchCts.Cancel();
        }, null, idleLimit, Timeout.InfiniteTimeSpan);
        var count = 0;
        try
        {
            await foreach (var (type, obj) in _source.WatchAsync(resourceVersion, timeoutSeconds, e =>
            {
                streamError ??= e;
                watchCts.Cancel();
            }, watchCts.Token))
            {
                watchdog.Change(idleLimit, Timeout.InfiniteTimeSpan);
                count++;
                Apply(type, obj);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && (streamError is not null || watchdogFired))
        {
            // handled below
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceVersionExpiredException($"watch from {resourceVersion} refused: 410 Gone", e);
        }
        if (streamError is KubernetesException { Status.Code: 410 } gone)
        {
            throw new ResourceVersionExpiredException(gone.Status.Message ?? "410 Gone", gone);
        }
        if (streamError is not null) throw new InvalidOperationException($"watch stream error: {streamError.Message}", streamError);
        if (watchdogFired)
        {
            throw new ResourceVersionExpiredException($"no watch traffic for {idleLimit.TotalSeconds:0}s");
        }
        return count;
    }

    private void Apply(WatchEventType type, T obj)
    {
        var rv = obj.Metadata?.ResourceVersion;
        switch (type)
        {
            case WatchEventType.Bookmark:
                break;
            case WatchEventType.Added or WatchEventType.Modified:
                lock (_dispatchLock)
                {
                    var old = Store.Upsert(obj);
                    Dispatch(new InformerEvent<T>(old is null ? InformerEventType.Added : InformerEventType.Updated, obj, old));
                }
                break;
            case WatchEventType.Deleted:
                lock (_dispatchLock)
                {
                    var old = Store.Remove(ObjectKey.Of(obj));
                    Dispatch(new InformerEvent<T>(InformerEventType.Deleted, obj, old));
                }
                break;
        }
        if (!string.IsNullOrEmpty(rv)) LastResourceVersion = rv;
    }

    private void ApplyList(IReadOnlyList<T> items)
    {
        lock (_dispatchLock)
        {
            foreach (var change in Store.Replace(items)) Dispatch(change);
        }
    }

    private void Dispatch(InformerEvent<T> change)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                handler(change);
            }
            catch (Exception e)
            {
                LogHandlerFailed(e, Description);
            }
        }
    }

    private static bool IsEmptyClose(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is EndOfStreamException) return true;
        }
        return false;
    }

    private sealed class Unsubscriber(Informer<T> informer, Action<InformerEvent<T>> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (informer._dispatchLock) informer._handlers.Remove(handler);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Listed {Informer}: {Count} objects at resourceVersion {ResourceVersion}")]
    private partial void LogListed(string informer, int count, string resourceVersion);

    [LoggerMessage(LogLevel.Information, "Watch of {Informer} expired at resourceVersion {ResourceVersion} ({Reason}); relisting")]
    private partial void LogExpired(string informer, string? resourceVersion, string reason);

    [LoggerMessage(LogLevel.Warning, "List/watch of {Informer} failed; retrying in {DelayMs} ms")]
    private partial void LogWatchFailed(Exception e, string informer, double delayMs);

    [LoggerMessage(LogLevel.Error, "An event handler of {Informer} threw")]
    private partial void LogHandlerFailed(Exception e, string informer);
}
