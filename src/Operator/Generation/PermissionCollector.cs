using System.Reflection;
using GmsaOperator.Entities.Rbac;
using k8s.Models;

namespace GmsaOperator.Operator.Generation;

/// <summary>
/// Collects every <see cref="RequiresPermissionAttribute"/> in the operator's assemblies and merges them into
/// PolicyRules: verbs of the same group/resource/names are unioned, then resources that end up with identical
/// group, verbs and names share one rule. Output order is stable (ordinal sort).
/// </summary>
public static class PermissionCollector
{
    /// <summary>The assemblies whose components declare permissions.</summary>
    public static IReadOnlyList<Assembly> OperatorAssemblies { get; } =
    [
        typeof(Entities.CustomResourceDefinitions).Assembly,
        typeof(Webhooks.WebhookOptions).Assembly,
        typeof(PermissionCollector).Assembly,
    ];

    public static IReadOnlyList<RequiresPermissionAttribute> Declarations(IEnumerable<Assembly> assemblies) =>
    [
        .. assemblies.SelectMany(SafeTypes).SelectMany(t => t.GetCustomAttributes<RequiresPermissionAttribute>(inherit: false)),
    ];

    public static IReadOnlyList<V1PolicyRule> Rules(IEnumerable<RequiresPermissionAttribute> declarations, PermissionScope scope)
    {
        var perResource = declarations
            .Where(d => d.Scope == scope)
            .GroupBy(d => (d.ApiGroup, d.Resource, Names: string.Join(',', (d.ResourceNames ?? []).Order(StringComparer.Ordinal))))
            .Select(g => (g.Key.ApiGroup, g.Key.Resource, g.Key.Names,
                Verbs: string.Join(',', g.SelectMany(d => d.Verbs).Distinct().Order(StringComparer.Ordinal))));

        return
        [
            .. perResource
                .GroupBy(r => (r.ApiGroup, r.Verbs, r.Names))
                .Select(g => new V1PolicyRule
                {
                    ApiGroups = [g.Key.ApiGroup],
                    Resources = [.. g.Select(r => r.Resource).Order(StringComparer.Ordinal)],
                    ResourceNames = g.Key.Names.Length == 0 ? null : g.Key.Names.Split(','),
                    Verbs = g.Key.Verbs.Split(','),
                })
                .OrderBy(r => r.ApiGroups[0], StringComparer.Ordinal)
                .ThenBy(r => r.Resources[0], StringComparer.Ordinal)
                .ThenBy(r => string.Join(',', r.ResourceNames ?? []), StringComparer.Ordinal),
        ];
    }

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
