using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Informers;
using k8s.Models;
using static GmsaOperator.Tests.Runtime.FakeKubernetesTransport;

namespace GmsaOperator.Tests.Runtime;

public sealed class ObjectStoreTests
{
    private static string[] Names(IEnumerable<V1ConfigMap> items) => [.. items.Select(i => $"{i.Metadata.NamespaceProperty}/{i.Metadata.Name}").Order(StringComparer.Ordinal)];

    [Test]
    public void ListOfOneNamespace_FollowsUpsertsRemovesAndReplaces()
    {
        var store = new ObjectStore<V1ConfigMap>();
        store.Upsert(ConfigMap("a", "1", "x"));
        store.Upsert(ConfigMap("b", "1", "x"));
        store.Upsert(ConfigMap("a", "1", "y"));
        Assert.That(Names(store.List("x")), Is.EqualTo(new[] { "x/a", "x/b" }));
        Assert.That(Names(store.List("y")), Is.EqualTo(new[] { "y/a" }));
        Assert.That(store.List("z"), Is.Empty);

        store.Remove(new ObjectKey("x", "a"));
        Assert.That(Names(store.List("x")), Is.EqualTo(new[] { "x/b" }));

        store.Replace([ConfigMap("c", "2", "y"), ConfigMap("b", "2", "x")]);
        Assert.That(Names(store.List("x")), Is.EqualTo(new[] { "x/b" }));
        Assert.That(Names(store.List("y")), Is.EqualTo(new[] { "y/c" }), "y/a vanished in the relist");
    }

    [Test]
    public void NamespaceIndex_DoesNotCollideWithUserIndexes()
    {
        var store = new ObjectStore<V1ConfigMap>();
        store.AddIndex("namespace", cm => [cm.Metadata.Name]);
        store.Upsert(ConfigMap("a", "1", "x"));
        Assert.That(Names(store.ByIndex("namespace", "a")), Is.EqualTo(new[] { "x/a" }));
        Assert.That(Names(store.List("x")), Is.EqualTo(new[] { "x/a" }));
    }

    private static V1ConfigMap Reader(ObjectKey key) => new() { Metadata = new V1ObjectMeta { Name = key.Name, NamespaceProperty = key.Namespace } };

    [Test]
    public void NamesOnly_HoldsKeys_ReadersGetObjectsMadeFromThem_DeletingOnesAsGiven()
    {
        var store = new ObjectStore<V1ConfigMap>(Reader);
        var given = ConfigMap("a", "1", "x");
        Assert.That(store.Upsert(given), Is.Null);
        store.Upsert(ConfigMap("b", "1", "x"));

        var read = store.Get(new ObjectKey("x", "a"))!;
        Assert.That(read, Is.Not.SameAs(given), "only the key is held");
        Assert.That((read.Metadata.NamespaceProperty, read.Metadata.Name, read.Metadata.ResourceVersion), Is.EqualTo(("x", "a", (string?)null)));
        Assert.That(Names(store.List("x")), Is.EqualTo(new[] { "x/a", "x/b" }));
        Assert.That(Names(store.List()), Is.EqualTo(new[] { "x/a", "x/b" }));
        Assert.That(store.Get(new ObjectKey("x", "zz")), Is.Null);

        // Keys share one string per namespace (a names-only source does not pool strings).
        store.Upsert(ConfigMap("c", "1", new string("x".AsSpan())));
        Assert.That(store.Get(new ObjectKey("x", "c"))!.Metadata.NamespaceProperty, Is.SameAs(store.Get(new ObjectKey("x", "a"))!.Metadata.NamespaceProperty));
        store.Remove(new ObjectKey("x", "c"));

        var deleting = ConfigMap("b", "2", "x");
        deleting.Metadata.DeletionTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        store.Upsert(deleting);
        Assert.That(store.Get(new ObjectKey("x", "b")), Is.SameAs(deleting), "an object being deleted is held as given");

        var removed = store.Remove(new ObjectKey("x", "a"));
        Assert.That(removed?.Metadata.Name, Is.EqualTo("a"));
        Assert.That(Names(store.List("x")), Is.EqualTo(new[] { "x/b" }));
    }

    [Test]
    public void Aggregate_FoldsEveryObject_WithoutCopyingTheStore()
    {
        var store = new ObjectStore<V1ConfigMap>();
        for (var i = 0; i < 20_000; i++) store.Upsert(ConfigMap($"cm{i}", "1", $"ns{i % 7}"));
        static int InX3(int n, V1ConfigMap cm) => cm.Metadata.NamespaceProperty == "ns3" ? n + 1 : n;
        Assert.That(store.Aggregate(0, InX3), Is.EqualTo(store.List("ns3").Count));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = store.Aggregate(0L, (n, cm) => n + cm.Metadata.Name.Length);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(total, Is.EqualTo(store.List().Sum(cm => (long)cm.Metadata.Name.Length)));
        Assert.That(allocated, Is.LessThan(1024), "a fold over 20,000 objects allocates no list of them (List() would be 160 KB)");
    }

    [Test]
    public void Aggregate_OfANamesOnlyStore_SeesObjectsMadeFromTheKeys()
    {
        var store = new ObjectStore<V1ConfigMap>(Reader);
        store.Upsert(ConfigMap("a", "1", "x"));
        store.Upsert(ConfigMap("b", "1", "y"));
        Assert.That(store.Aggregate("", (s, cm) => s + cm.Metadata.NamespaceProperty + "/" + cm.Metadata.Name + ";").Split(';', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { "x/a", "y/b" }));
    }

    [Test]
    public void NamesOnly_Relist_ReportsAddsDeletesAndDeletionStarts_NotUnchangedKeys()
    {
        var store = new ObjectStore<V1ConfigMap>(Reader);
        store.Replace([ConfigMap("a", "1", "x"), ConfigMap("b", "1", "x"), ConfigMap("c", "1", "x")]);

        var deleting = ConfigMap("b", "5", "x");
        deleting.Metadata.DeletionTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var changes = store.Replace([ConfigMap("a", "2", "x"), deleting, ConfigMap("d", "1", "x")]);

        Assert.That(changes.Select(c => $"{c.Type} {c.Object.Metadata.Name}").Order(StringComparer.Ordinal), Is.EqualTo(new[]
        {
            "Added d", "Deleted c", "Updated b",
        }), "a's new resource version is nothing a names-only reader can see");
    }

    [Test]
    public void IndexValue_FollowsOneThenManyThenFewerKeys()
    {
        var store = new ObjectStore<V1ConfigMap>();
        store.AddIndex("tier", cm => cm.Metadata.Labels is { } labels && labels.TryGetValue("tier", out var tier) ? [tier] : []);
        V1ConfigMap Tiered(string name, string tier, string rv = "1")
        {
            var cm = ConfigMap(name, rv, "x");
            cm.Metadata.Labels = new Dictionary<string, string> { ["tier"] = tier };
            return cm;
        }

        store.Upsert(Tiered("a", "web"));
        store.Upsert(Tiered("a", "web", "2")); // the same key again stays one entry
        Assert.That(Names(store.ByIndex("tier", "web")), Is.EqualTo(new[] { "x/a" }));
        store.Upsert(Tiered("b", "web"));
        store.Upsert(Tiered("c", "web"));
        Assert.That(Names(store.ByIndex("tier", "web")), Is.EqualTo(new[] { "x/a", "x/b", "x/c" }));
        store.Upsert(Tiered("b", "db", "2")); // moves to another value
        store.Remove(new ObjectKey("x", "a"));
        Assert.That(Names(store.ByIndex("tier", "web")), Is.EqualTo(new[] { "x/c" }));
        Assert.That(Names(store.ByIndex("tier", "db")), Is.EqualTo(new[] { "x/b" }));
        store.Remove(new ObjectKey("x", "c"));
        Assert.That(store.ByIndex("tier", "web"), Is.Empty);
        store.Upsert(Tiered("d", "web"));
        Assert.That(Names(store.ByIndex("tier", "web")), Is.EqualTo(new[] { "x/d" }));
    }
}
