using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>
/// Whether an observed generated object already has every field we apply, so a reconcile can skip a no-op write.
/// Model records compare lists by reference, hence the field-by-field comparison.
/// </summary>
public static class GeneratedObjectComparer
{
    public static bool Satisfies(V1RoleBinding? observed, V1RoleBinding desired) =>
        observed is not null
        && MetadataSatisfies(observed.Metadata, desired.Metadata)
        && observed.RoleRef is { } roleRef
        && roleRef.ApiGroup == desired.RoleRef.ApiGroup && roleRef.Kind == desired.RoleRef.Kind && roleRef.Name == desired.RoleRef.Name
        && (observed.Subjects ?? []).Select(Subject).SequenceEqual(desired.Subjects.Select(Subject));

    public static bool Satisfies(V1ClusterRole? observed, V1ClusterRole desired) =>
        observed is not null
        && MetadataSatisfies(observed.Metadata, desired.Metadata)
        && (observed.Rules ?? []).Count == desired.Rules.Count
        && observed.Rules!.Zip(desired.Rules).All(pair => RuleEquals(pair.First, pair.Second))
        && observed.AggregationRule is null;

    private static bool MetadataSatisfies(V1ObjectMeta observed, V1ObjectMeta desired) =>
        desired.Labels.All(l => observed.Labels?.TryGetValue(l.Key, out var value) == true && value == l.Value)
        && desired.OwnerReferences.All(d => observed.OwnerReferences?.Any(o =>
            o.Uid == d.Uid && o.Kind == d.Kind && o.Name == d.Name && o.ApiVersion == d.ApiVersion && o.Controller == d.Controller) == true);

    private static string Subject(Rbacv1Subject s) => $"{s.Kind}\u0000{s.ApiGroup}\u0000{s.NamespaceProperty}\u0000{s.Name}";

    private static bool RuleEquals(V1PolicyRule a, V1PolicyRule b) =>
        Same(a.ApiGroups, b.ApiGroups) && Same(a.Resources, b.Resources) && Same(a.Verbs, b.Verbs)
        && Same(a.ResourceNames, b.ResourceNames) && Same(a.NonResourceURLs, b.NonResourceURLs);

    private static bool Same(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? []);
}
