namespace GmsaOperator.Entities.Generation;

// Class-level markers read by CrdGenerator. Group, storage version, kind and plural come from
// k8s.Models.KubernetesEntityAttribute; these add what a CustomResourceDefinition needs beyond that.

/// <summary>Whether the resource is namespaced or cluster-scoped.</summary>
public enum EntityScope
{
    Namespaced,
    Cluster,
}

/// <summary>Scope of the custom resource (default <see cref="EntityScope.Namespaced"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ScopeAttribute(EntityScope scope) : Attribute
{
    public EntityScope Scope { get; } = scope;
}

/// <summary>Short names for kubectl (<c>kubectl get gmsab</c>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortNamesAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>An additional served (non-storage) version with the same schema as the storage version.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class ServedVersionAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public bool Deprecated { get; init; }
}

/// <summary>Marks the storage version as deprecated (the storage version itself comes from KubernetesEntityAttribute).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class DeprecatedStorageVersionAttribute : Attribute;

/// <summary>An annotation on the CustomResourceDefinition object.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class CrdAnnotationAttribute(string key, string value) : Attribute
{
    public string Key { get; } = key;

    public string Value { get; } = value;
}

/// <summary>An additional printer column for <c>kubectl get</c>, in declaration order.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(string name, string type, string jsonPath) : Attribute
{
    public string Name { get; } = name;

    /// <summary>OpenAPI type: string, integer, number, boolean or date.</summary>
    public string Type { get; } = type;

    public string JsonPath { get; } = jsonPath;

    public string? Description { get; init; }

    /// <summary>0 = shown by default; higher values only with <c>-o wide</c>.</summary>
    public int Priority { get; init; }
}

/// <summary>Enables the <c>/status</c> subresource.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StatusSubresourceAttribute : Attribute;
