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
}
