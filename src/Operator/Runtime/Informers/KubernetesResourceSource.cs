using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// Lists and watches any kind through the generic (custom-objects) paths, deserialising into the typed model:
/// works for built-ins (the client maps the empty group to <c>/api/v1</c>) and for custom resources alike.
/// </summary>
public sealed class KubernetesResourceSource<T>(IKubernetes client, string? @namespace, string? labelSelector, int pageSize, bool stripManagedFields = true,
    string? fieldSelector = null) : IResourceSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceType _type = ResourceType.Of<T>();

    public async Task<ResourceList<T>> ListAsync(bool fromWatchCache, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        string resourceVersion;
        // The watch cache ignores limit/continue and returns the whole list; a consistent list is read page by page.
        var listVersion = fromWatchCache ? "0" : null;
        var limit = fromWatchCache ? (int?)null : pageSize;
        do
        {
            var page = (JsonElement)(@namespace is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync(_type.Group, _type.Version, _type.Plural,
                    continueParameter: continueToken, fieldSelector: fieldSelector, labelSelector: labelSelector, limit: limit, resourceVersion: listVersion, cancellationToken: cancellationToken)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync(_type.Group, _type.Version, @namespace, _type.Plural,
                    continueParameter: continueToken, fieldSelector: fieldSelector, labelSelector: labelSelector, limit: limit, resourceVersion: listVersion, cancellationToken: cancellationToken));
            if (page.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    items.Add(Prepare(KubernetesJson.Deserialize<T>(item)));
                }
            }
            var metadata = page.GetProperty("metadata");
            resourceVersion = metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() ?? "" : "";
            continueToken = metadata.TryGetProperty("continue", out var c) ? c.GetString() : null;
        }
        while (!string.IsNullOrEmpty(continueToken));
        return new ResourceList<T>(items, resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = @namespace is null
            ? client.CustomObjects.WatchListClusterCustomObjectAsync(_type.Group, _type.Version, _type.Plural,
                allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken)
            : client.CustomObjects.WatchListNamespacedCustomObjectAsync(_type.Group, _type.Version, @namespace, _type.Plural,
                allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, obj) in stream.WithCancellation(cancellationToken))
        {
            var element = obj is JsonElement e ? e : KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(obj));
            yield return (type, Prepare(KubernetesJson.Deserialize<T>(element)));
        }
    }

    private T Prepare(T obj)
    {
        if (stripManagedFields && obj.Metadata is { } metadata) metadata.ManagedFields = null;
        return _type.Stamp(obj);
    }
}
