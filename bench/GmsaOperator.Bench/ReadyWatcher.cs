using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using k8s;

namespace GmsaOperator.Bench;

/// <summary>
/// Counts a run's GmsaBindings that are Ready=True from one watch (started before the first create), instead of listing
/// them over and over: polling a 1,000-item list every 100 ms would load the API server the operator is measured on.
/// </summary>
internal sealed class ReadyWatcher : IAsyncDisposable
{
    private readonly HashSet<string> _ready = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private readonly int _target;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _resourceVersion = "";

    private ReadyWatcher(int target) => _target = target;

    public static async Task<ReadyWatcher> StartAsync(IKubernetes client, string run, int target, CancellationToken cancellationToken)
    {
        var watcher = new ReadyWatcher(target);
        await watcher.RelistAsync(client, run, cancellationToken); // before the watch starts, so a listed state never overrides a newer watched one
        watcher._loop = Task.Run(() => watcher.WatchAsync(client, run, watcher._stop.Token));
        return watcher;
    }

    public int Ready { get { lock (_ready) return _ready.Count; } }

    /// <summary>Completes when <c>target</c> bindings are Ready; throws if the watch fails.</summary>
    public Task AllReady => _done.Task;

    /// <summary>How often the watch ended and was resumed from the last resource version seen (reported in the log).</summary>
    public int Resumes { get; private set; }

    /// <summary>How often that resource version had expired, so every binding of the run was listed again.</summary>
    public int Relists { get; private set; }

    /// <summary>What a list says replaces what we knew.</summary>
    private async Task RelistAsync(IKubernetes client, string run, CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(GmsaBinding.ApiGroup, GmsaBinding.Version, GmsaBinding.Plural,
            labelSelector: $"{BenchCluster.RunLabel}={run}", cancellationToken: cancellationToken);
        lock (_ready) _ready.Clear();
        foreach (var item in list.GetProperty("items").EnumerateArray()) Observe(WatchEventType.Added, item);
        _resourceVersion = list.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    // The API server may end a watch at any time (it closes watchers that fall behind during a burst). Resuming from the
    // last resource version seen replays only what was missed; relisting every binding of the run each time (as an
    // earlier version did) loaded the API server being measured with lists of up to 10,000 bindings from etcd. Only a
    // resource version the server no longer has (410 Gone) makes it relist, as client-go's reflector does.
    private async Task WatchAsync(IKubernetes client, string run, CancellationToken cancellationToken)
    {
        try
        {
            while (!_done.Task.IsCompleted)
            {
                // KubernetesClient hands a watch's ERROR event (a Status) to onError rather than yielding it; the server
                // ends the watch after it.
                Exception? failure = null;
                var events = client.CustomObjects.WatchListClusterCustomObjectAsync(GmsaBinding.ApiGroup, GmsaBinding.Version, GmsaBinding.Plural,
                    allowWatchBookmarks: true, labelSelector: $"{BenchCluster.RunLabel}={run}", resourceVersion: _resourceVersion,
                    timeoutSeconds: 1800, onError: e => failure ??= e, cancellationToken: cancellationToken);
                try
                {
                    await foreach (var (type, obj) in events.WithCancellation(cancellationToken))
                    {
                        var item = obj is JsonElement e ? e : KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(obj));
                        if (type == WatchEventType.Error)
                        {
                            failure = new KubernetesException(KubernetesJson.Deserialize<k8s.Models.V1Status>(item.GetRawText()));
                            break;
                        }
                        _resourceVersion = item.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
                        if (type != WatchEventType.Bookmark) Observe(type, item);
                        if (_done.Task.IsCompleted) return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failure ??= e;
                }
                if (IsGone(failure))
                {
                    await RelistAsync(client, run, cancellationToken);
                    Relists++;
                    continue;
                }
                if (failure is KubernetesException { Status: { } status }) throw new InvalidOperationException($"the Ready watch failed: {status.Code} {status.Reason}: {status.Message}");
                // Ended by the server, or a broken connection (then after a pause, so that a server refusing us is not hammered).
                if (failure is not null) await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                Resumes++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _done.TrySetCanceled(cancellationToken);
        }
        catch (Exception e)
        {
            _done.TrySetException(e);
        }
    }

    private static bool IsGone(Exception? failure) => failure switch
    {
        KubernetesException { Status.Code: 410 } => true,
        k8s.Autorest.HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.Gone } => true,
        _ => false,
    };

    private void Observe(WatchEventType type, JsonElement item)
    {
        var key = item.GetProperty("metadata").GetProperty("namespace").GetString() + "/" + item.GetProperty("metadata").GetProperty("name").GetString();
        lock (_ready)
        {
            if (type != WatchEventType.Deleted && IsReady(item)) _ready.Add(key);
            else _ready.Remove(key);
            if (_ready.Count >= _target) _done.TrySetResult();
        }
    }

    private static bool IsReady(JsonElement item) =>
        item.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
        && status.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array
        && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
