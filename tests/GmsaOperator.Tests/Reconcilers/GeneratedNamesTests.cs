using GmsaOperator.Operator.Reconcilers;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class GeneratedNamesTests
{
    [Test]
    public void ShortNamesArePrefixedVerbatim()
    {
        Assert.That(GeneratedNames.ClusterRoleFor("gmsa-webapp1"), Is.EqualTo("gmsa-operator:use:gmsa-webapp1"));
        Assert.That(GeneratedNames.RoleBindingFor("webapp"), Is.EqualTo("gmsa-operator:webapp"));
        Assert.That(GeneratedNames.LabelValue("gmsa-webapp1"), Is.EqualTo("gmsa-webapp1"));
    }

    [Test]
    public void LongNamesAreTruncatedWithAHashAndStayWithinLimits()
    {
        var a = new string('a', 250) + "x";
        var b = new string('a', 250) + "y";

        var roleA = GeneratedNames.ClusterRoleFor(a);
        var roleB = GeneratedNames.ClusterRoleFor(b);

        Assert.That(roleA, Has.Length.EqualTo(GeneratedNames.MaxObjectNameLength));
        Assert.That(roleA, Is.Not.EqualTo(roleB), "names differing only after the cut must not collide");
        Assert.That(GeneratedNames.ClusterRoleFor(a), Is.EqualTo(roleA), "deterministic");
        Assert.That(GeneratedNames.RoleBindingFor(a), Has.Length.LessThanOrEqualTo(GeneratedNames.MaxObjectNameLength));
    }

    [Test]
    public void LabelValuesAreValidEvenWhenTheCutEndsOnAPunctuationMark()
    {
        var name = new string('a', 51) + "-.bbbbbbbbbbbbbbbbbbbbbbb";
        var value = GeneratedNames.LabelValue(name);
        Assert.That(value, Has.Length.LessThanOrEqualTo(63));
        Assert.That(value, Does.Match("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$"));
        Assert.That(value, Does.Not.Contain("-.-"));
    }
}
