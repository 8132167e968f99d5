using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using k8s;
using k8s.Models;

namespace GmsaOperator.Entities.Serialization;

/// <summary>
/// Source-generated JSON metadata for our entity types (and the JSON DOM types the runtime round-trips through
/// <see cref="KubernetesJson"/>); the Kubernetes models are in <see cref="KubernetesModelJsonContext"/>.
/// </summary>
[JsonSerializable(typeof(GmsaCredentialSpec))]
[JsonSerializable(typeof(GmsaBinding))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonElement?))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class EntityJsonContext : JsonSerializerContext;

/// <summary>
/// Source-generated metadata for the watch-event envelopes KubernetesClient deserialises each watch line into
/// (<c>Watcher&lt;KubernetesObject&gt;.WatchEvent</c> to spot Status lines, then the typed one).
/// </summary>
[JsonSerializable(typeof(Watcher<KubernetesObject>.WatchEvent), TypeInfoPropertyName = "KubernetesObjectWatchEvent")]
[JsonSerializable(typeof(Watcher<V1Status>.WatchEvent), TypeInfoPropertyName = "StatusWatchEvent")]
[JsonSerializable(typeof(Watcher<object>.WatchEvent), TypeInfoPropertyName = "ObjectWatchEvent")]
[JsonSerializable(typeof(Watcher<V1Secret>.WatchEvent), TypeInfoPropertyName = "SecretWatchEvent")]
[JsonSerializable(typeof(Watcher<V1MutatingWebhookConfiguration>.WatchEvent), TypeInfoPropertyName = "MutatingWebhookConfigurationWatchEvent")]
[JsonSerializable(typeof(Watcher<V1ValidatingWebhookConfiguration>.WatchEvent), TypeInfoPropertyName = "ValidatingWebhookConfigurationWatchEvent")]
[JsonSerializable(typeof(Watcher<V1Endpoints>.WatchEvent), TypeInfoPropertyName = "EndpointsWatchEvent")]
[JsonSerializable(typeof(Watcher<V1Lease>.WatchEvent), TypeInfoPropertyName = "LeaseWatchEvent")]
[JsonSerializable(typeof(object))]
public sealed partial class WatchEventJsonContext : JsonSerializerContext;

/// <summary>Makes KubernetesClient's global serializer options use this product's source-generated metadata only.</summary>
public static class EntityJson
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>The resolvers, in order: our entities, the Kubernetes models we use, the watch-event envelopes.</summary>
    public static IReadOnlyList<IJsonTypeInfoResolver> Resolvers { get; } =
        [EntityJsonContext.Default, KubernetesModelJsonContext.Default, WatchEventJsonContext.Default];

    /// <summary>
    /// Replaces the resolvers of <see cref="KubernetesJson"/>'s options (KubernetesClient's all-models context and its
    /// reflection fallback) with <see cref="Resolvers"/>: a type none of them covers fails with a message naming it, the
    /// same under the JIT as under NativeAOT, instead of being serialised by reflection that NativeAOT does not keep.
    /// <paramref name="extra"/> resolvers (e.g. a test's own models) go last. Call once at process start, before any
    /// <see cref="KubernetesJson"/> use (the options become read-only once used); repeated calls do nothing.
    /// </summary>
    public static void Register(params IJsonTypeInfoResolver[] extra)
    {
        lock (Gate)
        {
            if (_registered) return;
            KubernetesJson.AddJsonOptions(options =>
            {
                Replace(options.TypeInfoResolverChain, extra);
                // The client's non-generic JsonStringEnumConverter builds EnumConverter<T> with MakeGenericType, which
                // NativeAOT cannot do for a T it did not see; watch events are the one enum on our path.
                options.Converters.Insert(0, new JsonStringEnumConverter<WatchEventType>());
            });
            _registered = true;
        }
    }

    /// <summary>Makes <paramref name="chain"/> exactly <see cref="Resolvers"/> followed by <paramref name="extra"/>.</summary>
    public static void Replace(IList<IJsonTypeInfoResolver> chain, params IJsonTypeInfoResolver[] extra)
    {
        chain.Clear();
        foreach (var resolver in Resolvers.Concat(extra)) chain.Add(resolver);
    }
}
