using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime;

/// <summary>Identifies one object: namespace (null for cluster-scoped objects) and name. What a reconciler receives.</summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> obj) =>
        new(string.IsNullOrEmpty(obj.Metadata?.NamespaceProperty) ? null : obj.Metadata.NamespaceProperty, obj.Metadata?.Name ?? "");

    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}
