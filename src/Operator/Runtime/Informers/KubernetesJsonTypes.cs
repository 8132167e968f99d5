using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// KubernetesClient's own serializer options (its source-generated models plus every context registered through
/// <see cref="KubernetesJson.AddJsonOptions"/>), for decoding with a reader or with options derived from them.
/// </summary>
public static class KubernetesJsonTypes
{
    private static readonly Lazy<JsonSerializerOptions> Shared = new(() =>
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options!;
    });

    public static JsonSerializerOptions Options => Shared.Value;

    public static JsonTypeInfo<T> Of<T>(JsonSerializerOptions? options = null) => (JsonTypeInfo<T>)(options ?? Shared.Value).GetTypeInfo(typeof(T));
}
