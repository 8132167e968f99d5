using GmsaOperator.Operator.Reconcilers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class GeneratedObjectComparerTests
{
    private static readonly BindingIdentity Binding = new("gmsa.dev/v1alpha1", "GmsaBinding", "apps", "webapp", "uid-1");

    private static T Copy<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    [Test]
    public void ObservedRoleBindingEqualToDesired_NeedsNoWrite_EvenWithExtraLabels()
    {
        var desired = DesiredRbac.RoleBinding(Binding, "gmsa-webapp1", ["default"]);
        var observed = Copy(desired);
        observed.Metadata.Labels["team"] = "x";
        Assert.That(GeneratedObjectComparer.Satisfies(observed, desired), Is.True);
    }

    [Test]
    public void DriftedRoleBinding_NeedsAWrite()
    {
        var desired = DesiredRbac.RoleBinding(Binding, "gmsa-webapp1", ["default"]);

        var subjects = Copy(desired);
        subjects.Subjects.Add(new Rbacv1Subject { Kind = "ServiceAccount", Name = "intruder", NamespaceProperty = "apps" });
        var label = Copy(desired);
        label.Metadata.Labels.Remove(ManagedLabels.ManagedBy);
        var owner = Copy(desired);
        owner.Metadata.OwnerReferences = null;

        Assert.That(GeneratedObjectComparer.Satisfies(subjects, desired), Is.False);
        Assert.That(GeneratedObjectComparer.Satisfies(label, desired), Is.False);
        Assert.That(GeneratedObjectComparer.Satisfies(owner, desired), Is.False);
        Assert.That(GeneratedObjectComparer.Satisfies((V1RoleBinding?)null, desired), Is.False);
    }

    [Test]
    public void DriftedClusterRole_NeedsAWrite()
    {
        var desired = DesiredRbac.ClusterRole("gmsa-webapp1", "cs-uid");
        var same = Copy(desired);
        var widened = Copy(desired);
        widened.Rules[0].ResourceNames = ["gmsa-webapp1", "other"];
        var extraRule = Copy(desired);
        extraRule.Rules.Add(new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["get"] });

        Assert.That(GeneratedObjectComparer.Satisfies(same, desired), Is.True);
        Assert.That(GeneratedObjectComparer.Satisfies(widened, desired), Is.False);
        Assert.That(GeneratedObjectComparer.Satisfies(extraRule, desired), Is.False);
    }
}
