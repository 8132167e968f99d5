using System.Runtime.CompilerServices;
using System.Text.Json;
using GmsaOperator.Runtime.Client;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// Lists and watches any kind through the generic (custom-objects) paths, deserialising into the typed model:
/// works for built-ins (the client maps the empty group to <c>/api/v1</c>) and for custom resources alike.
/// With <paramref name="metadataOnly"/> the API server sends <c>PartialObjectMetadata</c> (meta.k8s.io/v1, served since
/// 1.15) instead of whole objects: the cached <typeparamref name="T"/> then holds metadata only, for readers of names and labels.
/// <paramref name="decoding"/>: serializer options for the objects (KubernetesClient's when null), e.g. <see cref="StringPool.DecodingOptions"/>.
/// With <paramref name="namesOnly"/> (needs <paramref name="metadataOnly"/>) the cached metadata keeps name, namespace,
/// resource version (the watch resumes from it and relists compare it) and deletion timestamp, nothing else.
/// With <paramref name="withoutLastApplied"/> objects lose the <see cref="InformerOptions.LastAppliedAnnotation"/> (see <see cref="InformerOptions.WithoutLastApplied"/>).
/// </summary>
public sealed class KubernetesResourceSource<T>(IKubernetes client, string? @namespace, string? labelSelector, int pageSize, bool stripManagedFields = true,
    string? fieldSelector = null, bool metadataOnly = false, JsonSerializerOptions? decoding = null, bool namesOnly = false, bool withoutLastApplied = false)
    : IResourceSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    internal const string MetadataListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    internal const string MetadataWatchAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

    private readonly ResourceType _type = ResourceType.Of<T>();

    public async Task<ResourceList<T>> ListAsync(bool fromWatchCache, CancellationToken cancellationToken)
    {
        if (client is not StreamingKubernetes)
        {
            throw new InvalidOperationException($"Informers decode lists as they stream in, which needs the {nameof(StreamingKubernetes)} client; register IKubernetes as one.");
        }
        var items = new List<T>();
        string? continueToken = null;
        string resourceVersion;
        // The watch cache ignores limit/continue and returns the whole list; a consistent list is read page by page.
        var listVersion = fromWatchCache ? "0" : null;
        var limit = fromWatchCache ? (int?)null : pageSize;
        do
        {
            var headers = Accept(MetadataListAccept);
            // Streamed: items are decoded (and trimmed) one by one as they arrive, so the first list of 10,000 objects
            // never exists as one document in memory.
            using var response = @namespace is null
                ? await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<ResponseBody>(_type.Group, _type.Version, _type.Plural,
                    continueParameter: continueToken, fieldSelector: fieldSelector, labelSelector: labelSelector, limit: limit, resourceVersion: listVersion,
                    customHeaders: headers, cancellationToken: cancellationToken)
                : await client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<ResponseBody>(_type.Group, _type.Version, @namespace, _type.Plural,
                    continueParameter: continueToken, fieldSelector: fieldSelector, labelSelector: labelSelector, limit: limit, resourceVersion: listVersion,
                    customHeaders: headers, cancellationToken: cancellationToken);
            var page = await ListStreamReader.ReadAsync(response.Body.Stream, KubernetesJsonTypes.Of<T>(decoding), item => items.Add(Prepare(item)), cancellationToken);
            resourceVersion = page.ResourceVersion;
            continueToken = page.Continue;
        }
        while (!string.IsNullOrEmpty(continueToken));
        return new ResourceList<T>(items, resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var headers = Accept(MetadataWatchAccept);
        // The generated watch methods take no request headers; the response-based watcher is the one that carries the Accept header.
#pragma warning disable CS0618
        var stream = headers is null
            ? @namespace is null
                ? client.CustomObjects.WatchListClusterCustomObjectAsync(_type.Group, _type.Version, _type.Plural,
                    allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                    onError: onError, cancellationToken: cancellationToken)
                : client.CustomObjects.WatchListNamespacedCustomObjectAsync(_type.Group, _type.Version, @namespace, _type.Plural,
                    allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                    onError: onError, cancellationToken: cancellationToken)
            : (@namespace is null
                ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<object>(_type.Group, _type.Version, _type.Plural,
                    allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                    watch: true, customHeaders: headers, cancellationToken: cancellationToken)
                : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<object>(_type.Group, _type.Version, @namespace, _type.Plural,
                    allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                    watch: true, customHeaders: headers, cancellationToken: cancellationToken))
                .WatchAsync<object, object>(onError, cancellationToken);
#pragma warning restore CS0618
        await foreach (var (type, obj) in stream.WithCancellation(cancellationToken))
        {
            var element = obj is JsonElement e ? e : KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(obj));
            yield return (type, Prepare(element.Deserialize(KubernetesJsonTypes.Of<T>(decoding)) ?? throw new JsonException("A watch event carried no object.")));
        }
    }

    private Dictionary<string, IReadOnlyList<string>>? Accept(string mediaType) =>
        metadataOnly ? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["Accept"] = [mediaType] } : null;

    private T Prepare(T obj)
    {
        if (metadataOnly)
        {
            // Served as meta.k8s.io/v1 PartialObjectMetadata; cached under the kind it stands for.
            obj.ApiVersion = null;
            obj.Kind = null;
        }
        if (namesOnly && obj.Metadata is { } full)
        {
            obj.Metadata = new V1ObjectMeta
            {
                Name = full.Name, NamespaceProperty = full.NamespaceProperty, ResourceVersion = full.ResourceVersion, DeletionTimestamp = full.DeletionTimestamp,
            };
        }
        if (stripManagedFields && obj.Metadata is { } metadata) metadata.ManagedFields = null;
        if (withoutLastApplied && obj.Metadata?.Annotations is { } annotations && annotations.Remove(InformerOptions.LastAppliedAnnotation) && annotations.Count == 0)
        {
            obj.Metadata.Annotations = null;
        }
        return _type.Stamp(obj);
    }
}
