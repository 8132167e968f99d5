using System.Web;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using static GmsaOperator.Tests.Runtime.FakeKubernetesTransport;

namespace GmsaOperator.Tests.Runtime;

public sealed class InformerTests
{
    private static readonly InformerOptions FastRetries = new() { InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) };

    private FakeKubernetesTransport _transport = null!;
    private Informer<V1ConfigMap> _informer = null!;
    private CancellationTokenSource _stop = null!;
    private Task _loop = Task.CompletedTask;
    private readonly List<InformerEvent<V1ConfigMap>> _events = [];

    [SetUp]
    public void SetUp()
    {
        _transport = new FakeKubernetesTransport();
        _informer = new Informer<V1ConfigMap>(new KubernetesResourceSource<V1ConfigMap>(Client(_transport), "ns", null, 500),
            "configmaps in ns", FastRetries, TimeProvider.System, NullLogger.Instance);
        _informer.Subscribe(e => { lock (_events) _events.Add(e); });
        _stop = new CancellationTokenSource();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _transport.Dispose();
    }

    private void Start() => _loop = Task.Run(() => _informer.RunAsync(_stop.Token));

    private static string Query(Uri uri, string name) => HttpUtility.ParseQueryString(uri.Query)[name] ?? "";

    [Test]
    public async Task WatchStartsFromListVersionWithBookmarksAndJitteredTimeout()
    {
        _transport.List("10", ConfigMap("a", "9"));
        Start();
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count >= 1, "the first watch");

        var watch = _transport.WatchRequests[0];
        Assert.Multiple(() =>
        {
            Assert.That(_informer.HasSynced, Is.True);
            Assert.That(_informer.Store.Get(new ObjectKey("ns", "a")), Is.Not.Null);
            Assert.That(watch.AbsolutePath, Is.EqualTo("/api/v1/namespaces/ns/configmaps"));
            Assert.That(Query(watch, "resourceVersion"), Is.EqualTo("10"));
            Assert.That(Query(watch, "allowWatchBookmarks"), Is.EqualTo("true"));
            Assert.That(int.Parse(Query(watch, "timeoutSeconds"), System.Globalization.CultureInfo.InvariantCulture), Is.InRange(300, 600));
        });
    }

    [Test]
    public async Task ServerClosingTheWatchReconnectsFromLastResourceVersionWithoutRelisting()
    {
        _transport.List("10");
        _transport.Watch(Event("ADDED", ConfigMap("a", "11")), Event("MODIFIED", ConfigMap("a", "12")));
        Start();
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count >= 2, "a reconnect");

        Assert.Multiple(() =>
        {
            Assert.That(Query(_transport.WatchRequests[1], "resourceVersion"), Is.EqualTo("12"));
            Assert.That(_transport.ListRequests, Has.Count.EqualTo(1), "a normal close must not relist");
            Assert.That(_informer.Store.Get(new ObjectKey("ns", "a"))!.Metadata.ResourceVersion, Is.EqualTo("12"));
        });
    }

    [Test]
    public async Task BookmarksAdvanceTheResourceVersion()
    {
        _transport.List("10");
        _transport.Watch(Bookmark("20"));
        Start();
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count >= 2, "a reconnect");

        Assert.That(Query(_transport.WatchRequests[1], "resourceVersion"), Is.EqualTo("20"));
        Assert.That(_events, Is.Empty, "a bookmark is not a change");
    }

    [Test]
    public async Task GoneMidStreamRelistsWithNoLostOrPhantomObjects()
    {
        _transport.List("10", ConfigMap("a", "5"), ConfigMap("b", "6"));
        _transport.Watch(Event("ADDED", ConfigMap("c", "11")), Gone(), Event("ADDED", ConfigMap("phantom", "12")));
        // During the gap: a changed, b deleted, d created.
        _transport.List("30", ConfigMap("a", "25"), ConfigMap("c", "11"), ConfigMap("d", "28"));
        Start();
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count >= 2, "the watch after the relist");

        var names = _informer.Store.List().Select(o => o.Metadata.Name).Order().ToList();
        List<(InformerEventType, string)> changes;
        lock (_events) changes = [.. _events.Select(e => (e.Type, e.Object.Metadata.Name))];
        Assert.Multiple(() =>
        {
            Assert.That(names, Is.EqualTo(new[] { "a", "c", "d" }));
            Assert.That(_informer.Store.Get(new ObjectKey("ns", "a"))!.Metadata.ResourceVersion, Is.EqualTo("25"));
            Assert.That(changes, Does.Contain((InformerEventType.Deleted, "b")), "a delete is synthesised for b");
            Assert.That(changes, Does.Contain((InformerEventType.Added, "d")));
            Assert.That(changes, Does.Contain((InformerEventType.Updated, "a")));
            Assert.That(changes.Count(c => c.Item2 == "c"), Is.EqualTo(1), "c was already known: no second add");
            Assert.That(_transport.ListRequests, Has.Count.EqualTo(2));
            Assert.That(Query(_transport.WatchRequests[1], "resourceVersion"), Is.EqualTo("30"));
        });
    }

    [Test]
    public async Task FirstListComesFromTheWatchCache_RelistAfterGoneIsConsistentAndPaged()
    {
        _transport.List("10", ConfigMap("a", "5"));
        _transport.Watch(Gone());
        _transport.List("40");
        Start();
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count >= 2, "the watch after the relist");

        Assert.Multiple(() =>
        {
            Assert.That(Query(_transport.ListRequests[0], "resourceVersion"), Is.EqualTo("0"), "first list: resourceVersion=0 (watch cache)");
            Assert.That(Query(_transport.ListRequests[0], "limit"), Is.Empty, "the watch cache ignores paging");
            Assert.That(Query(_transport.ListRequests[1], "resourceVersion"), Is.Empty, "a relist must not go back in time");
            Assert.That(Query(_transport.ListRequests[1], "limit"), Is.EqualTo("500"));
        });
    }

    [Test]
    public async Task ManagedFieldsAreNotCached()
    {
        var listed = ConfigMap("a", "5");
        listed.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Update", FieldsType = "FieldsV1" }];
        var watched = ConfigMap("b", "11");
        watched.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Update", FieldsType = "FieldsV1" }];
        _transport.List("10", listed);
        _transport.Watch(Event("ADDED", watched));
        Start();
        await Eventually.TrueAsync(() => _informer.Store.Get(new ObjectKey("ns", "b")) is not null, "the watched object");

        Assert.That(_informer.Store.List().Select(o => o.Metadata.ManagedFields), Is.All.Null);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task KubectlsLastAppliedCopyIsCachedOnlyWhereWanted(bool withoutLastApplied)
    {
        var informer = new Informer<V1ConfigMap>(new KubernetesResourceSource<V1ConfigMap>(Client(_transport), "ns", null, 500, withoutLastApplied: withoutLastApplied),
            "configmaps in ns", FastRetries, TimeProvider.System, NullLogger.Instance);
        var listed = ConfigMap("a", "5");
        listed.Metadata.Annotations = new Dictionary<string, string> { [InformerOptions.LastAppliedAnnotation] = "{\"kind\":\"ConfigMap\"}", ["team"] = "web" };
        var watched = ConfigMap("b", "11");
        watched.Metadata.Annotations = new Dictionary<string, string> { [InformerOptions.LastAppliedAnnotation] = "{\"kind\":\"ConfigMap\"}" };
        _transport.List("10", listed);
        _transport.Watch(Event("ADDED", watched));
        _loop = Task.Run(() => informer.RunAsync(_stop.Token));
        await Eventually.TrueAsync(() => informer.Store.Get(new ObjectKey("ns", "b")) is not null, "the watched object");

        var a = informer.Store.Get(new ObjectKey("ns", "a"))!.Metadata.Annotations;
        var b = informer.Store.Get(new ObjectKey("ns", "b"))!.Metadata.Annotations;
        Assert.Multiple(() =>
        {
            Assert.That(a.ContainsKey(InformerOptions.LastAppliedAnnotation), Is.EqualTo(!withoutLastApplied));
            Assert.That(a["team"], Is.EqualTo("web"), "other annotations stay");
            Assert.That(b?.Count ?? 0, Is.EqualTo(withoutLastApplied ? 0 : 1));
        });
    }

    [Test]
    public async Task GoneOnConnectRelists()
    {
        _transport.List("10", ConfigMap("a", "5"));
        _transport.Watch(Gone());
        _transport.List("40");
        Start();
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count >= 2, "the watch after the relist");

        Assert.That(_informer.Store.Count, Is.Zero);
        Assert.That(Query(_transport.WatchRequests[1], "resourceVersion"), Is.EqualTo("40"));
    }

    [Test]
    public async Task EndOfStreamOnEmptyWatchIsANormalClose()
    {
        _transport.List("10");
        _transport.WatchThrows(new HttpRequestException("Error while copying content to a stream.", new IOException("closed", new EndOfStreamException())));
        Start();
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count >= 2, "a reconnect");

        Assert.That(_transport.ListRequests, Has.Count.EqualTo(1));
        Assert.That(Query(_transport.WatchRequests[1], "resourceVersion"), Is.EqualTo("10"));
    }

    [Test]
    public async Task ListErrorsAreRetriedUntilTheCacheSyncs()
    {
        _transport.ListFails(System.Net.HttpStatusCode.InternalServerError);
        _transport.ListFails(System.Net.HttpStatusCode.ServiceUnavailable);
        _transport.List("10", ConfigMap("a", "5"));
        Start();
        await _informer.WaitForSyncAsync(new CancellationTokenSource(5000).Token);

        Assert.That(_transport.ListRequests, Has.Count.EqualTo(3));
        Assert.That(_informer.Store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task WatchdogRelistsWhenTheWatchIsSilentPastItsTimeout()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var informer = new Informer<V1ConfigMap>(new KubernetesResourceSource<V1ConfigMap>(Client(_transport), "ns", null, 500),
            "configmaps in ns", FastRetries, time, NullLogger.Instance, random: () => 0);
        _transport.List("10");
        _transport.List("50", ConfigMap("late", "45"));
        _loop = Task.Run(() => informer.RunAsync(_stop.Token));
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count == 1, "the (silent) watch");

        time.Advance(TimeSpan.FromSeconds(300) + FastRetries.WatchdogMargin - TimeSpan.FromSeconds(1));
        Assert.That(_transport.ListRequests, Has.Count.EqualTo(1), "not yet");
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => _transport.WatchRequests.Count == 2, "the watch after the watchdog's relist");

        Assert.That(_transport.ListRequests, Has.Count.EqualTo(2));
        Assert.That(informer.Store.Get(new ObjectKey("ns", "late")), Is.Not.Null);
    }

    [Test]
    public async Task ReadingAKindNotDeclaredBeforeStart_ThrowsNamingTheFix()
    {
        using var transport = new FakeKubernetesTransport();
        transport.List("1");
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions(), TimeProvider.System, NullLoggerFactory.Instance);
        var declared = registry.For<V1ConfigMap>();
        using var stop = new CancellationTokenSource();
        registry.StartAll(stop.Token);

        Assert.That(registry.For<V1ConfigMap>(), Is.SameAs(declared));
        var error = Assert.Throws<InvalidOperationException>(() => registry.For<V1Secret>());
        Assert.That(error!.Message, Does.Contain("secrets.core").And.Contain("AddCachedKind<V1Secret>"));
        Assert.That(registry.All, Has.Count.EqualTo(1), "nothing half-made was registered");

        await stop.CancelAsync();
        await registry.WhenStoppedAsync();
    }

    [Test]
    public void Registry_KeysInformersByNamespaceLabelAndFieldSelector()
    {
        using var transport = new FakeKubernetesTransport();
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions { WatchNamespace = "ns" }, TimeProvider.System, NullLoggerFactory.Instance);

        var a = registry.For<V1Secret>(InformerScope.Named("ns", "a"));
        var b = registry.For<V1Secret>(InformerScope.Named("ns", "b"));
        var labelled = registry.For<V1Secret>(new InformerScope(LabelSelector: "app=x"));
        var all = registry.For<V1Secret>();
        Assert.Multiple(() =>
        {
            Assert.That(new object[] { a, b, labelled, all }, Is.Unique);
            Assert.That(registry.For<V1Secret>(InformerScope.Named("ns", "a")), Is.SameAs(a));
            Assert.That(registry.For<V1Secret>(InformerScope.Default), Is.SameAs(all));
            Assert.That(registry.For<V1Secret>(new InformerScope("ns")), Is.SameAs(all), "the watch namespace spelled out is the same informer");
            Assert.That(a.Description, Is.EqualTo("secrets.core in ns [metadata.name=a]"));
            Assert.That(labelled.Description, Is.EqualTo("secrets.core in ns [app=x]"));
            Assert.That(registry.All, Has.Count.EqualTo(4));
        });
    }

    [Test]
    public async Task NamedScope_ListsAndWatchesWithTheFieldSelectorInItsNamespace()
    {
        using var transport = new FakeKubernetesTransport();
        transport.List("7", ConfigMap("a", "6"));
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions { WatchNamespace = "ns" }, TimeProvider.System, NullLoggerFactory.Instance);
        var informer = registry.For<V1ConfigMap>(InformerScope.Named("other", "a"));
        using var stop = new CancellationTokenSource();
        registry.StartAll(stop.Token);
        await Eventually.TrueAsync(() => transport.WatchRequests.Count >= 1, "the watch");

        var list = transport.ListRequests[0];
        var watch = transport.WatchRequests[0];
        Assert.Multiple(() =>
        {
            Assert.That(informer.Store.Get(new ObjectKey("ns", "a")), Is.Not.Null);
            Assert.That(list.AbsolutePath, Is.EqualTo("/api/v1/namespaces/other/configmaps"));
            Assert.That(Query(list, "fieldSelector"), Is.EqualTo("metadata.name=a"));
            Assert.That(watch.AbsolutePath, Is.EqualTo("/api/v1/namespaces/other/configmaps"));
            Assert.That(Query(watch, "fieldSelector"), Is.EqualTo("metadata.name=a"));
        });
        await stop.CancelAsync();
        await registry.WhenStoppedAsync();
    }

    [Test]
    public async Task ClusterScope_IgnoresTheWatchNamespace()
    {
        using var transport = new FakeKubernetesTransport();
        transport.List("7");
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions { WatchNamespace = "ns" }, TimeProvider.System, NullLoggerFactory.Instance);
        var informer = registry.For<V1MutatingWebhookConfiguration>(InformerScope.NamedClusterObject("hooks"));
        using var stop = new CancellationTokenSource();
        registry.StartAll(stop.Token);
        await informer.WaitForSyncAsync(new CancellationTokenSource(5000).Token);

        var list = transport.ListRequests[0];
        Assert.That(list.AbsolutePath, Is.EqualTo("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"));
        Assert.That(Query(list, "fieldSelector"), Is.EqualTo("metadata.name=hooks"));
        Assert.That(informer.Description, Is.EqualTo("mutatingwebhookconfigurations.admissionregistration.k8s.io [metadata.name=hooks]"));
        await stop.CancelAsync();
        await registry.WhenStoppedAsync();
    }
}
