namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// Which objects of a kind one informer caches: a namespace (default: the runtime's watch namespace), or every
/// namespace and cluster-scoped kinds (<see cref="Cluster"/>), narrowed by label and field selectors. A field selector
/// such as <c>metadata.name=x</c> is how list/watch works under RBAC rules restricted by resourceNames.
/// </summary>
public sealed record InformerScope(string? Namespace = null, string? LabelSelector = null, string? FieldSelector = null)
{
    /// <summary>The runtime's watch namespace (all namespaces when none is set), no selectors.</summary>
    public static InformerScope Default { get; } = new();

    /// <summary>Cluster-scoped kinds, or every namespace whatever the runtime's watch namespace is.</summary>
    public static InformerScope Cluster { get; } = new() { ClusterWide = true };

    public bool ClusterWide { get; init; }

    /// <summary>Only the object named <paramref name="name"/> in <paramref name="namespace"/>.</summary>
    public static InformerScope Named(string @namespace, string name) => new(@namespace, FieldSelector: $"metadata.name={name}");

    /// <summary>Only the cluster-scoped object named <paramref name="name"/>.</summary>
    public static InformerScope NamedClusterObject(string name) => Cluster with { FieldSelector = $"metadata.name={name}" };

    /// <summary>The namespace list/watch use: null for cluster-wide.</summary>
    internal string? ResolveNamespace(string? watchNamespace) => ClusterWide ? null : Namespace ?? watchNamespace;
}
