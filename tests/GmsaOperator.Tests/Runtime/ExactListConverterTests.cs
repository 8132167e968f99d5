using System.Text.Json;
using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Runtime;

public sealed class ExactListConverterTests
{
    private const string ClusterRole =
        """{"metadata":{"name":"gmsa-credspec-web","finalizers":[],"ownerReferences":[{"apiVersion":"windows.k8s.io/v1","kind":"GMSACredentialSpec","name":"web","uid":"0b7c5e42-93a1-4c1e-8d7f-1f0e8a6c2d11","controller":true}]},"rules":[{"apiGroups":["windows.k8s.io"],"resources":["gmsacredentialspecs"],"verbs":["use","get","list","watch","create"],"resourceNames":["web"]}]}""";

    private static V1ClusterRole Decode(string json) =>
        JsonSerializer.Deserialize(json, KubernetesJsonTypes.Of<V1ClusterRole>(new StringPool().DecodingOptions(KubernetesJsonTypes.Options)))!;

    [Test]
    public void CachedListsAreArraysOfTheirExactLength_WithTheSameContentAsAPlainDecode()
    {
        var role = Decode(ClusterRole);
        var rule = role.Rules.Single();

        Assert.Multiple(() =>
        {
            Assert.That(KubernetesJson.Serialize(role), Is.EqualTo(KubernetesJson.Serialize(KubernetesJson.Deserialize<V1ClusterRole>(ClusterRole))));
            Assert.That(role.Rules, Is.TypeOf<V1PolicyRule[]>().And.Count.EqualTo(1));
            Assert.That(role.Metadata.OwnerReferences, Is.TypeOf<V1OwnerReference[]>().And.Count.EqualTo(1));
            Assert.That(role.Metadata.OwnerReferences[0].Uid, Is.EqualTo("0b7c5e42-93a1-4c1e-8d7f-1f0e8a6c2d11"));
            Assert.That(rule.Verbs, Is.TypeOf<string[]>().And.EqualTo(new[] { "use", "get", "list", "watch", "create" }), "grown past the first four");
            Assert.That(rule.ResourceNames, Is.TypeOf<string[]>().And.EqualTo(new[] { "web" }));
            Assert.That(role.Metadata.Finalizers, Is.Empty);
            Assert.That(role.AggregationRule, Is.Null);
            Assert.That(role.Metadata.Labels, Is.Null);
        });
    }

    [Test]
    public void StringsInListsComeFromThePool()
    {
        var options = new StringPool().DecodingOptions(KubernetesJsonTypes.Options);
        var first = JsonSerializer.Deserialize(ClusterRole, KubernetesJsonTypes.Of<V1ClusterRole>(options))!;
        var second = JsonSerializer.Deserialize(ClusterRole, KubernetesJsonTypes.Of<V1ClusterRole>(options))!;

        Assert.That(second.Rules[0].ApiGroups[0], Is.SameAs(first.Rules[0].ApiGroups[0]));
    }

    [Test]
    public void ACachedListCannotGrow()
    {
        var role = Decode(ClusterRole);

        Assert.Throws<NotSupportedException>(() => role.Rules[0].Verbs.Add("delete"));
    }

    [Test]
    public void NullItemsAndNullListsStayNull()
    {
        var role = Decode("""{"metadata":{"name":"r"},"rules":[{"verbs":["use",null],"apiGroups":null}]}""");

        Assert.Multiple(() =>
        {
            Assert.That(role.Rules[0].Verbs, Is.EqualTo(new[] { "use", null }));
            Assert.That(role.Rules[0].ApiGroups, Is.Null);
        });
    }

    [TestCase("""{"metadata":{"name":"r"},"rules":{"verbs":[]}}""")]
    [TestCase("""{"metadata":{"name":"r"},"rules":[{"verbs":"use"}]}""")]
    [TestCase("""{"metadata":{"name":"r"},"rules":[{"verbs":[1]}]}""")]
    public void AMalformedListIsAJsonError(string json) =>
        Assert.Throws<JsonException>(() => Decode(json));
}
