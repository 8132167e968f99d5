namespace GmsaOperator.Entities.Rbac;

/// <summary>Where a declared permission is granted.</summary>
public enum PermissionScope
{
    /// <summary>In the operator's ClusterRole (all namespaces and cluster-scoped resources).</summary>
    Cluster,

    /// <summary>In the operator's Role in its own namespace only.</summary>
    OperatorNamespace,
}

/// <summary>
/// Declares an API permission a component needs. Put it on the class that makes the calls, so the permission lives
/// next to the code that needs it; <c>gmsa-operator generate config</c> collects every declaration into the
/// least-privilege ClusterRole and Role under <c>config/rbac</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RequiresPermissionAttribute(string apiGroup, string resource, params string[] verbs) : Attribute
{
    /// <summary>API group; "" for the core group.</summary>
    public string ApiGroup { get; } = apiGroup;

    /// <summary>Resource (plural), optionally with a subresource: <c>gmsabindings/status</c>.</summary>
    public string Resource { get; } = resource;

    public IReadOnlyList<string> Verbs { get; } = verbs;

    public PermissionScope Scope { get; init; } = PermissionScope.Cluster;

    /// <summary>Restricts the rule to these object names (not possible for create, or for list/watch without a name field selector).</summary>
    public string[]? ResourceNames { get; init; }

    /// <summary>Why the component needs it (documentation for readers of the code).</summary>
    public string? Reason { get; init; }
}
