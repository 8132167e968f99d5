using GmsaOperator.Operator.Reconcilers;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class GeneratedNamesTests
{
    [Test]
    public void ShortNamesArePrefixedVerbatim_AsInEveryEarlierRelease()
    {
        Assert.That(GeneratedNames.ClusterRoleFor("gmsa-webapp1"), Is.EqualTo("gmsa-operator:use:gmsa-webapp1"));
        Assert.That(GeneratedNames.RoleBindingFor("webapp"), Is.EqualTo("gmsa-operator:webapp"));
        Assert.That(GeneratedNames.LabelValue("gmsa-webapp1"), Is.EqualTo("gmsa-webapp1"));
        var longestVerbatim = new string('a', GeneratedNames.MaxObjectNameLength - GeneratedNames.RoleBindingPrefix.Length);
        Assert.That(GeneratedNames.RoleBindingFor(longestVerbatim), Is.EqualTo(GeneratedNames.RoleBindingPrefix + longestVerbatim));
        Assert.That(GeneratedNames.LegacyRoleBindingFor(longestVerbatim), Is.Null, "a name that fits never had another name");
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
        Assert.That(GeneratedNames.IsTruncated(roleA, GeneratedNames.ClusterRolePrefix), Is.True);
        Assert.That(GeneratedNames.IsTruncated(GeneratedNames.ClusterRoleFor("short"), GeneratedNames.ClusterRolePrefix), Is.False);
    }

    [Test]
    public void AShortNameEqualToALongNamesOldCutForm_NoLongerCollides()
    {
        // The earlier scheme cut a long name to "<keep>-<10 hex>", itself a valid (and fitting) binding name.
        var longName = new string('b', 300);
        var oldForm = GeneratedNames.LegacyRoleBindingFor(longName)!;
        var crafted = oldForm[GeneratedNames.RoleBindingPrefix.Length..];
        Assert.That(crafted, Does.Match("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"), "a valid GmsaBinding name");
        Assert.That(GeneratedNames.RoleBindingFor(crafted), Is.EqualTo(oldForm), "the pair that collided before");

        Assert.That(GeneratedNames.RoleBindingFor(crafted), Is.Not.EqualTo(GeneratedNames.RoleBindingFor(longName)));

        var longSpec = new string('c', 300);
        var craftedSpec = GeneratedNames.LegacyClusterRoleFor(longSpec)![GeneratedNames.ClusterRolePrefix.Length..];
        Assert.That(GeneratedNames.ClusterRoleFor(craftedSpec), Is.Not.EqualTo(GeneratedNames.ClusterRoleFor(longSpec)));
    }

    [Test]
    public void TruncatedNamesCarryAMarkerNoSourceNameCanContain()
    {
        // DNS subdomain names (GmsaBinding, GMSACredentialSpec) are lowercase alphanumerics, '-' and '.'.
        foreach (var length in new[] { 240, 241, 252, 253 })
        {
            var name = string.Concat(Enumerable.Range(0, length).Select(i => "ab-.9"[i % 5])).Trim('-', '.');
            var cut = GeneratedNames.RoleBindingFor(name);
            Assert.That(cut[GeneratedNames.RoleBindingPrefix.Length..], Does.Contain(GeneratedNames.TruncationMarker.ToString()));
            Assert.That(cut, Has.Length.LessThanOrEqualTo(GeneratedNames.MaxObjectNameLength));
        }
        var sourceAlphabet = string.Concat(Enumerable.Range('a', 26).Select(c => (char)c)) + "0123456789-.";
        Assert.That(sourceAlphabet.IndexOf(GeneratedNames.TruncationMarker), Is.EqualTo(-1));
    }

    [Test]
    public void LabelValuesAreValidEvenWhenTheCutEndsOnAPunctuationMark()
    {
        var name = new string('a', 40) + "-.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        var value = GeneratedNames.LabelValue(name);
        Assert.That(value, Has.Length.LessThanOrEqualTo(63));
        Assert.That(value, Does.Match("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$"));
        Assert.That(value, Does.Not.Contain("-._"));
    }
}
