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
/// <see cref="KubernetesJson"/>). KubernetesClient's own context covers its models; without this one our types go
/// through the reflection resolver, which NativeAOT does not support.
/// </summary>
[JsonSerializable(typeof(GmsaCredentialSpec))]
[JsonSerializable(typeof(GmsaBinding))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class EntityJsonContext : JsonSerializerContext;

/// <summary>
/// Source-generated metadata for the watch-event envelopes KubernetesClient deserialises each watch line into
/// (<c>Watcher&lt;KubernetesObject&gt;.WatchEvent</c> to spot Status lines, then the typed one); its own context has none.
/// </summary>
[JsonSerializable(typeof(Watcher<KubernetesObject>.WatchEvent), TypeInfoPropertyName = "KubernetesObjectWatchEvent")]
[JsonSerializable(typeof(Watcher<V1Status>.WatchEvent), TypeInfoPropertyName = "StatusWatchEvent")]
[JsonSerializable(typeof(Watcher<object>.WatchEvent), TypeInfoPropertyName = "ObjectWatchEvent")]
[JsonSerializable(typeof(Watcher<V1Secret>.WatchEvent), TypeInfoPropertyName = "SecretWatchEvent")]
[JsonSerializable(typeof(Watcher<V1MutatingWebhookConfiguration>.WatchEvent), TypeInfoPropertyName = "MutatingWebhookConfigurationWatchEvent")]
[JsonSerializable(typeof(Watcher<V1ValidatingWebhookConfiguration>.WatchEvent), TypeInfoPropertyName = "ValidatingWebhookConfigurationWatchEvent")]
[JsonSerializable(typeof(Watcher<V1Endpoints>.WatchEvent), TypeInfoPropertyName = "EndpointsWatchEvent")]
[JsonSerializable(typeof(object))]
public sealed partial class WatchEventJsonContext : JsonSerializerContext;

/// <summary>Plugs <see cref="EntityJsonContext"/> into KubernetesClient's global serializer options.</summary>
public static class EntityJson
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>
    /// Inserts <see cref="EntityJsonContext"/> after KubernetesClient's source-generated context and before its
    /// reflection fallback. Call once at process start, before any <see cref="KubernetesJson"/> use (the options
    /// become read-only once used); repeated calls do nothing.
    /// </summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            KubernetesJson.AddJsonOptions(options =>
            {
                Insert(options.TypeInfoResolverChain);
                // The client's non-generic JsonStringEnumConverter builds EnumConverter<T> with MakeGenericType, which
                // NativeAOT cannot do for a T it did not see; watch events are the one enum on our path.
                options.Converters.Insert(0, new JsonStringEnumConverter<WatchEventType>());
            });
            _registered = true;
        }
    }

    /// <summary>Inserts our context before the first reflection resolver of <paramref name="chain"/> (at the end if there is none).</summary>
    public static void Insert(IList<IJsonTypeInfoResolver> chain)
    {
        var reflection = 0;
        while (reflection < chain.Count && chain[reflection] is not DefaultJsonTypeInfoResolver) reflection++;
        chain.Insert(reflection, EntityJsonContext.Default);
        chain.Insert(reflection + 1, WatchEventJsonContext.Default);
    }
}
