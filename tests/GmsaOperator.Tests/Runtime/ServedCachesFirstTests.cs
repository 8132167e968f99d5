using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Health;
using GmsaOperator.Runtime.Informers;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static GmsaOperator.Tests.Runtime.FakeKubernetesTransport;

namespace GmsaOperator.Tests.Runtime;

/// <summary>Caches served outside controllers list first and alone gate readiness.</summary>
public sealed class ServedCachesFirstTests
{
    private static readonly TimeSpan HeadStart = TimeSpan.FromSeconds(10);

    private static bool Listed(FakeKubernetesTransport transport, string resource) =>
        transport.ListRequests.Any(u => u.AbsolutePath.EndsWith("/" + resource, StringComparison.Ordinal));

    [Test]
    public void Served_AreTheCachedKinds_AndTheWatchesOfControllersThatListFirst()
    {
        using var transport = new FakeKubernetesTransport();
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions { WatchNamespace = "ns" }, new FakeTimeProvider(), NullLoggerFactory.Instance);
        var first = new FixedKeyControllerBuilder(new ControllerDefinition("first", typeof(object), null), new ObjectKey(null, "k"))
            .Watches<V1Secret>(InformerScope.Named("ns", "tls")).ListsFirst();
        var other = new FixedKeyControllerBuilder(new ControllerDefinition("other", typeof(object), null), new ObjectKey(null, "k"))
            .Watches<V1Pod>();

        var served = OperatorRuntimeService.DeclareServed(registry, [new CachedKind(r => r.For<V1ConfigMap>()), new CachedKind(r => r.For<V1ConfigMap>())],
            [first.Definition, other.Definition]);

        Assert.That(served.Select(i => i.Description), Is.EqualTo(new[] { "configmaps.core in ns", "secrets.core in ns [metadata.name=tls]" }));
    }

    [Test]
    public async Task OtherCachesStart_OnceTheServedOnesHaveSynced()
    {
        using var transport = new FakeKubernetesTransport();
        transport.List("1");
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions { WatchNamespace = "ns" }, new FakeTimeProvider(), NullLoggerFactory.Instance);
        var served = registry.For<V1ConfigMap>();
        registry.For<V1Secret>();
        using var stop = new CancellationTokenSource();

        registry.StartAll(stop.Token, first: [served], headStart: HeadStart);

        await Eventually.TrueAsync(() => Listed(transport, "secrets"), "the secrets list after the configmaps synced, with no time passing");
        Assert.That(transport.ListRequests[0].AbsolutePath, Does.EndWith("/configmaps"));
        await stop.CancelAsync();
        await registry.WhenStoppedAsync();
    }

    [Test]
    public async Task OtherCachesStart_AfterTheHeadStart_WhenTheServedOnesCannotSync()
    {
        using var transport = new FakeKubernetesTransport(); // no list answers: every list hangs
        var time = new FakeTimeProvider();
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions { WatchNamespace = "ns" }, time, NullLoggerFactory.Instance);
        var served = registry.For<V1ConfigMap>();
        registry.For<V1Secret>();
        using var stop = new CancellationTokenSource();

        registry.StartAll(stop.Token, first: [served], headStart: HeadStart);
        await Eventually.TrueAsync(() => Listed(transport, "configmaps"), "the served list");
        time.Advance(HeadStart - TimeSpan.FromSeconds(1));
        var listedEarly = Listed(transport, "secrets");
        var state = new RuntimeState { InformersStarted = true };
        var liveness = await new WatchLoopsAliveCheck(registry, state).CheckHealthAsync(new HealthCheckContext());
        Assert.That(liveness.Status, Is.EqualTo(HealthStatus.Healthy), "a loop waiting for its start is not a dead loop");
        time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => Listed(transport, "secrets"), "the secrets list once the head start is over");
        Assert.That(listedEarly, Is.False, "listed before the head start was over");
        await stop.CancelAsync();
        await registry.WhenStoppedAsync();
    }

    [Test]
    public async Task Readiness_WaitsForTheServedCachesOnly()
    {
        using var transport = new FakeKubernetesTransport();
        transport.List("1");
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions { WatchNamespace = "ns" }, TimeProvider.System, NullLoggerFactory.Instance);
        var served = registry.For<V1ConfigMap>();
        var controllerOnly = registry.For<V1Secret>(); // its list never answers
        var state = new RuntimeState();
        var check = new CachesSyncedCheck(registry, state);
        using var stop = new CancellationTokenSource();

        Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Unhealthy), "before the informers start");
        registry.StartAll(stop.Token, first: [served], headStart: HeadStart);
        state.Served = [served];
        state.InformersStarted = true;
        await served.WaitForSyncAsync(new CancellationTokenSource(5000).Token);

        Assert.Multiple(async () =>
        {
            Assert.That(controllerOnly.HasSynced, Is.False);
            Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Healthy));
            state.Served = [];
            var all = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.That(all.Status, Is.EqualTo(HealthStatus.Unhealthy), "with nothing declared as served, every cache gates readiness");
            Assert.That(all.Description, Does.Contain("secrets.core"));
        });
        await stop.CancelAsync();
        await registry.WhenStoppedAsync();
    }
}
