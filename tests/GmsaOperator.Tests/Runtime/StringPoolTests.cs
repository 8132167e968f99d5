using System.Text;
using System.Text.Json;
using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Runtime;

public sealed class StringPoolTests
{
    private static string RoleBinding(string name) =>
        $$$"""{"metadata":{"name":"{{{name}}}","namespace":"team-a","labels":{"app.kubernetes.io/managed-by":"gmsa-operator"}},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"gmsa-credspec-web"},"subjects":[{"kind":"ServiceAccount","name":"default","namespace":"team-a"},{"kind":"ServiceAccount","name":"caf\u00e9 ☕","namespace":"team-a"}]}""";

    [Test]
    public void DecodedObjectsShareTheirRepeatedStrings_AndEqualAPlainDecode()
    {
        var options = new StringPool().DecodingOptions(KubernetesJsonTypes.Options);

        var first = JsonSerializer.Deserialize(RoleBinding("one"), KubernetesJsonTypes.Of<V1RoleBinding>(options))!;
        var second = JsonSerializer.Deserialize(RoleBinding("two"), KubernetesJsonTypes.Of<V1RoleBinding>(options))!;
        var plain = KubernetesJson.Deserialize<V1RoleBinding>(RoleBinding("one"));

        Assert.Multiple(() =>
        {
            Assert.That(KubernetesJson.Serialize(first), Is.EqualTo(KubernetesJson.Serialize(plain)));
            Assert.That(first.Subjects[1].Name, Is.EqualTo("café ☕"));
            Assert.That(ReferenceEquals(first.Metadata.NamespaceProperty, second.Subjects[0].NamespaceProperty), Is.True);
            Assert.That(ReferenceEquals(first.RoleRef.ApiGroup, second.RoleRef.ApiGroup), Is.True);
            Assert.That(ReferenceEquals(first.Metadata.Labels.Keys.Single(), second.Metadata.Labels.Keys.Single()), Is.True);
            Assert.That(ReferenceEquals(first.Metadata.Labels.Values.Single(), second.Metadata.Labels.Values.Single()), Is.True);
            Assert.That(first.Metadata.Name, Is.EqualTo("one"));
            Assert.That(second.Metadata.Name, Is.EqualTo("two"));
            Assert.That(first.Metadata.Labels, Is.TypeOf<CompactStringMap>(), "labels decoded compactly");
        });
    }

    [Test]
    public void LongStringsAreNotPooled()
    {
        var pool = new StringPool(maxEntries: 10, maxLength: 8);
        var first = pool.Get("abcdefgh"u8);

        Assert.Multiple(() =>
        {
            Assert.That(pool.Get("abcdefgh"u8), Is.SameAs(first));
            Assert.That(pool.Get("abcdefghi"u8), Is.Null);
            Assert.That(pool.Count, Is.EqualTo(1));
        });
    }

    [TestCase("4711")]
    [TestCase("2b1c2c1e-6c1b-4a43-9e4c-2f4c1d2c3b4a")]
    public void UidsAndResourceVersionsAreNotPooled(string unique)
    {
        var pool = new StringPool();

        Assert.Multiple(() =>
        {
            Assert.That(pool.Get(Encoding.UTF8.GetBytes(unique)), Is.Null);
            Assert.That(pool.Count, Is.Zero);
        });
    }

    [Test]
    public void AFullPoolStartsOver_NeverPastItsBound_SharingTheRecentStrings()
    {
        var pool = new StringPool(maxEntries: 3, maxLength: 16);
        var early = pool.Get("value-0"u8);
        for (var i = 0; i < 100; i++)
        {
            Assert.That(pool.Get(Encoding.UTF8.GetBytes($"value-{i}")), Is.EqualTo($"value-{i}"));
            Assert.That(pool.Count, Is.LessThanOrEqualTo(3));
        }

        var recent = pool.Get("value-99"u8);
        Assert.Multiple(() =>
        {
            Assert.That(pool.Get("value-99"u8), Is.SameAs(recent), "strings pooled since it started over are shared");
            Assert.That(early, Is.EqualTo("value-0"), "what was handed out before stays valid");
            Assert.That(pool.Get("value-0"u8), Is.Not.SameAs(early), "strings of long ago are no longer held");
        });
    }

    [Test]
    public void APooledStringCostsItsSlot_NotAnEntryObjectOfItsOwn()
    {
        const int entries = 60_000;
        var pool = new StringPool(maxEntries: 100_000, maxLength: 16);
        var names = Enumerable.Range(0, entries).Select(i => Encoding.UTF8.GetBytes($"name-{i:D6}")).ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var name in names) pool.Get(name);
        var perEntry = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)entries;

        // The string itself (11 chars: 48 bytes) and the slot tables the set grew through (~35 bytes per entry here);
        // a dictionary entry object (48 bytes and more for its buckets) would not fit.
        Assert.That(perEntry, Is.LessThan(48 + 48), $"{perEntry:0} bytes allocated per pooled string");
        Assert.That(pool.Count, Is.EqualTo(entries));
    }

    [Test]
    public void ConcurrentDecoders_GetOneInstancePerString()
    {
        var pool = new StringPool();
        var names = Enumerable.Range(0, 2_000).Select(i => Encoding.UTF8.GetBytes($"ns-{i}")).ToArray();
        var seen = new string?[8][];

        Parallel.For(0, seen.Length, t => seen[t] = [.. names.Select(n => pool.Get(n))]);

        Assert.Multiple(() =>
        {
            for (var i = 0; i < names.Length; i++)
            {
                Assert.That(seen.Select(s => s[i]).Distinct(ReferenceEqualityComparer.Instance).Count(), Is.EqualTo(1), $"ns-{i}");
            }
            Assert.That(pool.Count, Is.EqualTo(names.Length));
        });
    }

    [Test]
    public void EscapedAndNonStringValues()
    {
        var options = new StringPool().DecodingOptions(KubernetesJsonTypes.Options);

        var escaped = JsonSerializer.Deserialize("""{"metadata":{"name":"a\"b\\c"}}""", KubernetesJsonTypes.Of<V1RoleBinding>(options))!;

        Assert.Multiple(() =>
        {
            Assert.That(escaped.Metadata.Name, Is.EqualTo("a\"b\\c"));
            Assert.That(() => JsonSerializer.Deserialize("""{"metadata":{"name":5}}""", KubernetesJsonTypes.Of<V1RoleBinding>(options)), Throws.InstanceOf<JsonException>());
        });
    }
}
