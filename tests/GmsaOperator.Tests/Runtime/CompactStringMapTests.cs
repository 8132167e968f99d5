using System.Text.Json;
using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Runtime;

public sealed class CompactStringMapTests
{
    [Test]
    public void BehavesAsADictionary()
    {
        IDictionary<string, string> map = new CompactStringMap();
        var reference = new Dictionary<string, string>(StringComparer.Ordinal);
        void Both(Action<IDictionary<string, string>> change)
        {
            change(map);
            change(reference);
            Assert.That(map.OrderBy(p => p.Key, StringComparer.Ordinal), Is.EqualTo(reference.OrderBy(p => p.Key, StringComparer.Ordinal)));
            Assert.That(map, Has.Count.EqualTo(reference.Count));
        }

        for (var i = 0; i < 10; i++) Both(m => m.Add($"k{i}", $"v{i}"));
        Both(m => m["k3"] = "changed");
        Both(m => m["new"] = "added");
        Both(m => m.Remove("k0"));
        Both(m => m.Remove("k9"));
        Both(m => m.Remove("absent"));
        Both(m => m.Remove(new KeyValuePair<string, string>("k4", "not its value")));
        Both(m => m.Remove(new KeyValuePair<string, string>("k5", "v5")));
        Assert.Multiple(() =>
        {
            Assert.That(map["k3"], Is.EqualTo("changed"));
            Assert.That(map.TryGetValue("k0", out _), Is.False);
            Assert.That(map.ContainsKey("K3"), Is.False, "ordinal keys");
            Assert.That(() => map["absent"], Throws.TypeOf<KeyNotFoundException>());
            Assert.That(() => map.Add("k1", "again"), Throws.ArgumentException);
            Assert.That(map.Keys, Is.EquivalentTo(reference.Keys));
            Assert.That(map.Values, Is.EquivalentTo(reference.Values));
        });
        var copy = new KeyValuePair<string, string>[map.Count + 1];
        map.CopyTo(copy, 1);
        Assert.That(copy.Skip(1), Is.EquivalentTo(reference));
        Both(m => m.Clear());
    }

    [Test]
    public void DecodedLabelsAndAnnotations_AreCompact_AndSerializeAsBefore()
    {
        const string json = """{"metadata":{"name":"x","labels":{"a":"1","b":"2","a":"3"},"annotations":{"note":"caf\u00e9","empty":""}}}""";
        var options = new StringPool().DecodingOptions(KubernetesJsonTypes.Options);

        var decoded = JsonSerializer.Deserialize(json, KubernetesJsonTypes.Of<V1ConfigMap>(options))!;

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Metadata.Labels, Is.TypeOf<CompactStringMap>());
            Assert.That(decoded.Metadata.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["a"] = "3", ["b"] = "2" }), "the last of duplicate keys wins, as in Go");
            Assert.That(decoded.Metadata.Annotations["note"], Is.EqualTo("café"));
            Assert.That(decoded.Metadata.Annotations["empty"], Is.EqualTo(""));
            Assert.That(KubernetesJson.Serialize(decoded), Is.EqualTo("""{"metadata":{"annotations":{"note":"café","empty":""},"labels":{"a":"3","b":"2"},"name":"x"}}""")
                .Or.EqualTo(KubernetesJson.Serialize(KubernetesJson.Deserialize<V1ConfigMap>("""{"metadata":{"name":"x","labels":{"a":"3","b":"2"},"annotations":{"note":"café","empty":""}}}"""))));
        });
    }

    [TestCase("""{"metadata":{"labels":["a"]}}""")]
    [TestCase("""{"metadata":{"labels":{"a":1}}}""")]
    [TestCase("{\"metadata\":{\"labels\":{\"a\":\"1\"")]
    public void MalformedMaps_AreJsonErrors(string json)
    {
        var options = new StringPool().DecodingOptions(KubernetesJsonTypes.Options);
        Assert.That(() => JsonSerializer.Deserialize(json, KubernetesJsonTypes.Of<V1ConfigMap>(options)), Throws.InstanceOf<JsonException>());
    }
}
