using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Polly;

namespace GmsaOperator.Runtime.Writes;

/// <summary>
/// <see cref="IObjectWriter"/> over the generic (custom-objects) API paths, which serve built-in kinds too. Uses server-side
/// apply for generated objects and resourceVersion-guarded merge patches for read-modify-write, retried on conflict.
/// </summary>
public sealed class ObjectWriter(IKubernetes client, OperatorRuntimeOptions options, ResiliencePipeline pipeline) : IObjectWriter
{
    private const int ConflictAttempts = 10;

    public Task<T> ApplyAsync<T>(T desired, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        ApplyCoreAsync(desired, null, cancellationToken);

    public Task<T> ApplyAsync<T>(T desired, Precondition precondition, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        ApplyCoreAsync(desired, precondition, cancellationToken);

    private async Task<T> ApplyCoreAsync<T>(T desired, Precondition? precondition, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceType.Of<T>();
        var body = WithoutServerFields(type, desired);
        if (precondition is not null)
        {
            // A resourceVersion in an apply body is a precondition; it is unique per write, so it pins the UID too.
            body["metadata"]!["resourceVersion"] = precondition.ResourceVersion;
        }
        var key = ObjectKey.Of(desired);
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        var result = await pipeline.ExecuteAsync(async ct => key.Namespace is null
            ? await client.CustomObjects.PatchClusterCustomObjectAsync(patch, type.Group, type.Version, type.Plural, key.Name, fieldManager: options.FieldManager, force: true, cancellationToken: ct)
            : await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, type.Group, type.Version, key.Namespace, type.Plural, key.Name, fieldManager: options.FieldManager, force: true, cancellationToken: ct),
            cancellationToken);
        return ToTyped<T>(type, result);
    }

    public async Task<T?> CreateAsync<T>(T desired, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceType.Of<T>();
        using var document = JsonDocument.Parse(WithoutServerFields(type, desired).ToJsonString());
        var body = document.RootElement;
        var key = ObjectKey.Of(desired);
        try
        {
            var result = await pipeline.ExecuteAsync(async ct => key.Namespace is null
                ? await client.CustomObjects.CreateClusterCustomObjectAsync(body, type.Group, type.Version, type.Plural, fieldManager: options.FieldManager, cancellationToken: ct)
                : await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, type.Group, type.Version, key.Namespace, type.Plural, fieldManager: options.FieldManager, cancellationToken: ct),
                cancellationToken);
            return ToTyped<T>(type, result);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    public Task<T?> UpdateStatusAsync<T>(T cached, Func<T, bool> mutate, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        UpdateStatusFromAsync(ObjectKey.Of(cached), cached, mutate, cancellationToken);

    public async Task<T?> GetAsync<T>(ObjectKey key, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceType.Of<T>();
        try
        {
            var result = await pipeline.ExecuteAsync(async ct => key.Namespace is null
                ? await client.CustomObjects.GetClusterCustomObjectAsync(type.Group, type.Version, type.Plural, key.Name, ct)
                : await client.CustomObjects.GetNamespacedCustomObjectAsync(type.Group, type.Version, key.Namespace, type.Plural, key.Name, ct),
                cancellationToken);
            return ToTyped<T>(type, result);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<bool> DeleteAsync<T>(ObjectKey key, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        DeleteCoreAsync<T>(key, null, cancellationToken);

    public Task<bool> DeleteAsync<T>(ObjectKey key, Precondition precondition, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        DeleteCoreAsync<T>(key, precondition, cancellationToken);

    private async Task<bool> DeleteCoreAsync<T>(ObjectKey key, Precondition? precondition, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceType.Of<T>();
        var options = new V1DeleteOptions
        {
            PropagationPolicy = "Background",
            Preconditions = precondition is null ? null : new V1Preconditions { Uid = precondition.Uid, ResourceVersion = precondition.ResourceVersion },
        };
        try
        {
            await pipeline.ExecuteAsync(async ct => key.Namespace is null
                ? await client.CustomObjects.DeleteClusterCustomObjectAsync(type.Group, type.Version, type.Plural, key.Name, options, cancellationToken: ct)
                : await client.CustomObjects.DeleteNamespacedCustomObjectAsync(type.Group, type.Version, key.Namespace, type.Plural, key.Name, options, cancellationToken: ct),
                cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<T?> UpdateStatusFromAsync<T>(ObjectKey key, T cached, Func<T, bool> mutate, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceType.Of<T>();
        for (var attempt = 1; ; attempt++)
        {
            var fromCache = attempt == 1;
            // One rendering of the cached object serves both as the copy to mutate and as the "before" of the diff.
            var json = fromCache ? KubernetesJson.Serialize(cached) : null;
            var current = json is not null ? KubernetesJson.Deserialize<T>(json) : await GetAsync<T>(key, cancellationToken);
            if (current is null) return null;
            var before = JsonNode.Parse(json ?? KubernetesJson.Serialize(current))!.AsObject();
            if (!mutate(current)) return current;
            var after = JsonNode.Parse(KubernetesJson.Serialize(current))!.AsObject();
            var body = StatusPatch(before, after);
            body["metadata"] ??= new JsonObject();
            body["metadata"]!["resourceVersion"] = before["metadata"]?["resourceVersion"]?.DeepClone(); // optimistic concurrency
            var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch);
            try
            {
                var result = await pipeline.ExecuteAsync(async ct => key.Namespace is null
                    ? await client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, type.Group, type.Version, type.Plural, key.Name, fieldManager: options.FieldManager, cancellationToken: ct)
                    : await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, type.Group, type.Version, key.Namespace, type.Plural, key.Name, fieldManager: options.FieldManager, cancellationToken: ct),
                    cancellationToken);
                return ToTyped<T>(type, result);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < ConflictAttempts)
            {
                // Someone wrote in between (or the cache was behind): start over from a fresh read.
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && fromCache)
            {
                return null; // gone since it was cached
            }
        }
    }

    private static JsonObject StatusPatch(JsonObject before, JsonObject after) =>
        new() { ["status"] = MergeDiff(before["status"], after["status"]) ?? new JsonObject() };

    /// <summary>A JSON merge patch turning <paramref name="before"/> into <paramref name="after"/> for objects (removed keys → null); other values are replaced whole.</summary>
    private static JsonNode? MergeDiff(JsonNode? before, JsonNode? after)
    {
        if (after is JsonObject a && before is JsonObject b)
        {
            var patch = new JsonObject();
            foreach (var (name, value) in a)
            {
                if (!b.TryGetPropertyValue(name, out var old) || !JsonNode.DeepEquals(old, value))
                {
                    patch[name] = old is JsonObject && value is JsonObject ? MergeDiff(old, value) : value?.DeepClone();
                }
            }
            foreach (var (name, _) in b)
            {
                if (!a.ContainsKey(name)) patch[name] = null;
            }
            return patch;
        }
        return after?.DeepClone();
    }

    // Server-managed fields: sending them would turn an apply into a precondition and a create into an error.
    private static JsonObject WithoutServerFields<T>(ResourceType type, T desired) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var body = JsonNode.Parse(KubernetesJson.Serialize(type.Stamp(desired)))!.AsObject();
        if (body["metadata"] is JsonObject metadata)
        {
            foreach (var field in new[] { "resourceVersion", "managedFields", "uid", "creationTimestamp", "generation", "selfLink" }) metadata.Remove(field);
        }
        return body;
    }

    private static T ToTyped<T>(ResourceType type, object result) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var element = result is JsonElement e ? e : KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(result));
        return type.Stamp(KubernetesJson.Deserialize<T>(element));
    }
}
