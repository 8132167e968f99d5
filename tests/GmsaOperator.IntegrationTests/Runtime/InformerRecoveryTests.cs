using System.Diagnostics;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>Informers survive API server outages and etcd compaction. Stops the shared API server, so never in parallel.</summary>
[NonParallelizable]
public sealed class InformerRecoveryTests : IntegrationTest
{
    private CancellationTokenSource _stop = null!;
    private InformerRegistry _registry = null!;
    private IKubernetes _informerClient = null!;
    private OfflineSwitch _network = null!;

    [SetUp]
    public void StartInformer()
    {
        _stop = new CancellationTokenSource();
        _network = new OfflineSwitch();
        _informerClient = new GmsaOperator.Runtime.Client.StreamingKubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath), _network);
        _registry = new InformerRegistry(_informerClient, new OperatorRuntimeOptions { WatchNamespace = Namespace }, TimeProvider.System, NullLoggerFactory.Instance);
        _registry.For<V1ConfigMap>();
        _registry.StartAll(_stop.Token);
    }

    [TearDown]
    public async Task StopInformer()
    {
        await _stop.CancelAsync();
        await _registry.WhenStoppedAsync();
        _informerClient.Dispose();
        _network.Dispose();
        _stop.Dispose();
    }

    private Informer<V1ConfigMap> Informer => _registry.For<V1ConfigMap>();

    private Task CreateAsync(string name) =>
        Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, Namespace);

    private Task<V1ConfigMap> CachedAsync(string name, TimeSpan timeout) =>
        Eventually.HoldsAsync(_ => Task.FromResult(Informer.Store.Get(new ObjectKey(Namespace, name))), timeout, $"configmap {name} in the cache");

    /// <summary>Stops kube-apiserver, runs <paramref name="whileDown"/>, and always starts it again (same port) and waits until it answers.</summary>
    private static async Task WithApiServerDownAsync(Func<Task> whileDown)
    {
        try
        {
            await ControlPlaneSetup.Plane.StopApiServerAsync();
            await whileDown();
        }
        finally
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await ControlPlaneSetup.Plane.StartApiServerAsync(cts.Token);
            await Eventually.HoldsAsync(async ct => await Client.CoreV1.ListNamespaceAsync(limit: 1, cancellationToken: ct), TimeSpan.FromSeconds(60), "the API server to answer");
        }
    }

    [Test]
    public async Task RecoversFromAnApiServerOutageAndSeesChangesWithinFiveSeconds()
    {
        await CreateAsync("before");
        await CachedAsync("before", TimeSpan.FromSeconds(10));

        await WithApiServerDownAsync(() => Task.Delay(TimeSpan.FromSeconds(10))); // the outage itself

        var sw = Stopwatch.StartNew();
        await CreateAsync("after");
        await CachedAsync("after", TimeSpan.FromSeconds(5));
        TestContext.Progress.WriteLine($"change seen {sw.Elapsed.TotalSeconds:0.0}s after the restart's first write");
        Assert.That(Informer.IsRunning, Is.True);
        Assert.That(Informer.Store.Get(new ObjectKey(Namespace, "before")), Is.Not.Null);
    }

    [Test]
    public async Task RelistsAfterCompactionWithNoLostOrPhantomObjects()
    {
        var deleted = new List<string>();
        using var subscription = Informer.Subscribe(e =>
        {
            if (e.Type == InformerEventType.Deleted) lock (deleted) deleted.Add(e.Object.Metadata.Name);
        });
        await CreateAsync("before-1");
        await CreateAsync("before-2");
        await CachedAsync("before-2", TimeSpan.FromSeconds(10));
        var listsBefore = _network.Lists;

        // Cut the informer off; meanwhile objects change, etcd moves on and is compacted past the informer's resourceVersion.
        _network.GoOffline();
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("before-2", Namespace);
        await CreateAsync("during");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Etcd.RunAsync(cts.Token, "put", "/runtime-test/bump", "1");
        var revision = await Etcd.RevisionAsync(cts.Token);
        await Etcd.RunAsync(cts.Token, "compact", revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A restart drops the API server's watch cache, whose window would otherwise hide the compaction from watches.
        await WithApiServerDownAsync(() => Task.CompletedTask);
        _network.GoOnline();

        await CreateAsync("after");
        await CachedAsync("after", TimeSpan.FromSeconds(15));
        await CachedAsync("during", TimeSpan.FromSeconds(5));

        var names = Informer.Store.List().Select(c => c.Metadata.Name).Where(n => n != "kube-root-ca.crt").Order().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Is.EqualTo(new[] { "after", "before-1", "during" }));
            Assert.That(_network.Lists, Is.GreaterThan(listsBefore), "the 410 led to a relist");
            lock (deleted) Assert.That(deleted, Is.EqualTo(new[] { "before-2" }), "a delete was synthesised for the object that vanished in the gap");
        });
    }
}
