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

    private ReadyWatcher(int target) => _target = target;

    public static async Task<ReadyWatcher> StartAsync(IKubernetes client, string run, int target, CancellationToken cancellationToken)
    {
        var list = await ListAsync(client, run, cancellationToken);
        var watcher = new ReadyWatcher(target);
        watcher.Replace(list); // before the watch starts, so a listed state never overrides a newer watched one
        watcher._loop = Task.Run(() => watcher.WatchAsync(client, run, ResourceVersionOf(list), watcher._stop.Token));
        return watcher;
    }

    private static Task<JsonElement> ListAsync(IKubernetes client, string run, CancellationToken cancellationToken) =>
        client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(GmsaBinding.ApiGroup, GmsaBinding.Version, GmsaBinding.Plural,
            labelSelector: $"{BenchCluster.RunLabel}={run}", cancellationToken: cancellationToken);

    private static string ResourceVersionOf(JsonElement list) => list.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;

    /// <summary>What a list says replaces what we knew.</summary>
    private void Replace(JsonElement list)
    {
        lock (_ready) _ready.Clear();
        foreach (var item in list.GetProperty("items").EnumerateArray()) Observe(WatchEventType.Added, item);
    }

    public int Ready { get { lock (_ready) return _ready.Count; } }

    /// <summary>Completes when <c>target</c> bindings are Ready; throws if the watch fails.</summary>
    public Task AllReady => _done.Task;

    // The API server may end a watch at any time (it closes watchers that fall behind during a burst): then relist
    // (which replaces what we know) and watch again from there, until every binding is Ready.
    private async Task WatchAsync(IKubernetes client, string run, string resourceVersion, CancellationToken cancellationToken)
    {
        try
        {
            while (!_done.Task.IsCompleted)
            {
                var events = client.CustomObjects.WatchListClusterCustomObjectAsync(GmsaBinding.ApiGroup, GmsaBinding.Version, GmsaBinding.Plural,
                    labelSelector: $"{BenchCluster.RunLabel}={run}", resourceVersion: resourceVersion, timeoutSeconds: 1800, cancellationToken: cancellationToken);
                try
                {
                    await foreach (var (type, obj) in events.WithCancellation(cancellationToken))
                    {
                        Observe(type, obj is JsonElement e ? e : KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(obj)));
                        if (_done.Task.IsCompleted) return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Relist below.
                }
                var list = await ListAsync(client, run, cancellationToken);
                Replace(list);
                resourceVersion = ResourceVersionOf(list);
                Relists++;
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

    /// <summary>How often the watch had to be re-established (reported in the log).</summary>
    public int Relists { get; private set; }

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
