using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime;

/// <summary>Identifies one object: namespace (null for cluster-scoped objects) and name. What a reconciler receives.</summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> obj) =>
        new(string.IsNullOrEmpty(obj.Metadata?.NamespaceProperty) ? null : obj.Metadata.NamespaceProperty, obj.Metadata?.Name ?? "");

    /// <summary>Parses <c>namespace/name</c> or <c>name</c>.</summary>
    public static ObjectKey Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new ObjectKey(null, key) : new ObjectKey(key[..slash], key[(slash + 1)..]);
    }

    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}
