using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// Type metadata from KubernetesClient's own serializer options (its source-generated models plus every context
/// registered through <see cref="KubernetesJson.AddJsonOptions"/>), for decoding with a reader instead of a string.
/// </summary>
public static class KubernetesJsonTypes
{
    private static readonly Lazy<JsonSerializerOptions> Options = new(() =>
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options!;
    });

    public static JsonTypeInfo<T> Of<T>() => (JsonTypeInfo<T>)Options.Value.GetTypeInfo(typeof(T));
}
