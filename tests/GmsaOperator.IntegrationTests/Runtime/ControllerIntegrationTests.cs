using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Events;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Metrics;
using GmsaOperator.Runtime.Queue;
using GmsaOperator.Runtime.Writes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>A generic controller end to end: cache reads, owned objects, server-side apply, /status writes, events, metrics.</summary>
public sealed class ControllerIntegrationTests : IntegrationTest
{
    /// <summary>For every ConfigMap labelled role=source, applies "&lt;name&gt;-copy" owned by it, and emits an event.</summary>
    private sealed class CopyReconciler(IObjectCache cache, IObjectWriter writer, IEventRecorder events) : IReconciler
    {
        public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            var source = cache.Get<V1ConfigMap>(key);
            if (source is null || (source.Metadata.Labels is not { } labels || !labels.TryGetValue("role", out var role) || role != "source")) return ReconcileResult.Done;
            await writer.ApplyAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = $"{key.Name}-copy",
                    NamespaceProperty = key.Namespace,
                    Labels = new Dictionary<string, string> { ["role"] = "copy" },
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = source.Metadata.Name, Uid = source.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
                },
                Data = source.Data ?? new Dictionary<string, string>(),
            }, cancellationToken);
            events.Record(source, EventTypes.Normal, "Copied", "Reconcile", "copy applied");
            return ReconcileResult.Done;
        }
    }

    [Test]
    public async Task ReconcilesAppliesRepairsOwnedObjectsAndEmitsEvents()
    {
        using var host = RuntimeHost.Build(Namespace, "controller-test", services: s =>
            s.AddController<CopyReconciler, V1ConfigMap>("copier", c => c.Owns<V1ConfigMap>().WithWorkers(2)));
        await host.StartAsync();
        try
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = "src", Labels = new Dictionary<string, string> { ["role"] = "source" } },
                Data = new Dictionary<string, string> { ["k"] = "v1" },
            }, Namespace);

            var copy = await Eventually.HoldsAsync(async ct => await Client.CoreV1.ReadNamespacedConfigMapAsync("src-copy", Namespace, cancellationToken: ct),
                TimeSpan.FromSeconds(15), "the copy to be applied");
            Assert.That(copy.Data["k"], Is.EqualTo("v1"));
            Assert.That(copy.Metadata.ManagedFields?.Select(m => m.Manager), Does.Contain("runtime-tests"));

            // Drift on the owned object is repaired (the owner is enqueued through the owner reference).
            await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"tampered"}}""", V1Patch.PatchType.MergePatch), "src-copy", Namespace);
            await Eventually.HoldsAsync(async ct => (await Client.CoreV1.ReadNamespacedConfigMapAsync("src-copy", Namespace, cancellationToken: ct)).Data["k"] == "v1" ? "ok" : null,
                TimeSpan.FromSeconds(15), "the drift to be repaired");

            var events = await Eventually.HoldsAsync(async ct =>
            {
                var list = await Client.EventsV1.ListNamespacedEventAsync(Namespace, cancellationToken: ct);
                var copied = list.Items.Where(e => e.Reason == "Copied" && e.Regarding.Name == "src").ToList();
                return copied.Count > 0 && (copied[0].Series?.Count ?? 1) >= 2 ? copied : null;
            }, TimeSpan.FromSeconds(15), "an aggregated Copied event");
            Assert.That(events, Has.Count.EqualTo(1), "repeats are aggregated into one event's series");
            Assert.That(events[0].ReportingController, Is.EqualTo("runtime-tests"));

            var registry = host.Services.GetRequiredService<CollectorRegistry>();
            using var stream = new MemoryStream();
            await registry.CollectAndExportAsTextAsync(stream);
            var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
            Assert.That(text, Does.Contain("controller_runtime_reconcile_total{controller=\"copier\",result=\"success\"}"));
            Assert.That(text, Does.Contain("workqueue_adds_total{name=\"copier\",controller=\"copier\"}"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Test]
    public async Task StatusFromAStaleCachedCopy_ConflictsThenRetriesFromAFreshRead()
    {
        using var host = RuntimeHost.Build(Namespace, "stale-status-test");
        var writer = host.Services.GetRequiredService<IObjectWriter>();
        var created = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "svc" },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
        }, Namespace);
        created.ApiVersion = "v1";
        created.Kind = "Service";
        // Somebody writes after "our cache" saw the object: the cached copy is now stale.
        await Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", V1Patch.PatchType.MergePatch), "svc", Namespace);

        var seen = new List<string?>();
        var updated = await writer.UpdateStatusAsync(created, svc =>
        {
            seen.Add(svc.Metadata.ResourceVersion);
            svc.Status.LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.30" }] };
            return true;
        }, CancellationToken.None);

        Assert.That(seen, Has.Count.EqualTo(2), "the stale copy conflicted, then a fresh read succeeded");
        Assert.That(seen[0], Is.EqualTo(created.Metadata.ResourceVersion), "the first attempt used the cached copy, without a read");
        var stored = await Client.CoreV1.ReadNamespacedServiceAsync("svc", Namespace);
        Assert.That((stored.Status.LoadBalancer.Ingress.Single().Ip, stored.Metadata.Labels["x"]), Is.EqualTo(("192.0.2.30", "y")));
        Assert.That(created.Status?.LoadBalancer?.Ingress, Is.Null.Or.Empty, "the cached object itself is not mutated");
    }

    [Test]
    public async Task CreateReturnsNullWhenTheObjectExists_AndLeavesItAlone()
    {
        using var host = RuntimeHost.Build(Namespace, "create-test");
        var writer = host.Services.GetRequiredService<IObjectWriter>();
        var desired = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm", NamespaceProperty = Namespace }, Data = new Dictionary<string, string> { ["k"] = "ours" } };

        var created = await writer.CreateAsync(desired, CancellationToken.None);
        Assert.That(created?.Data["k"], Is.EqualTo("ours"));
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"theirs"}}""", V1Patch.PatchType.MergePatch), "cm", Namespace);

        Assert.That(await writer.CreateAsync(desired, CancellationToken.None), Is.Null, "409 AlreadyExists → null");
        Assert.That((await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", Namespace)).Data["k"], Is.EqualTo("theirs"), "not overwritten");
    }

    [Test]
    public async Task DeleteReportsWhetherTheObjectExisted()
    {
        using var host = RuntimeHost.Build(Namespace, "delete-test");
        var writer = host.Services.GetRequiredService<IObjectWriter>();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, Namespace);

        Assert.That(await writer.DeleteAsync<V1ConfigMap>(new ObjectKey(Namespace, "cm"), CancellationToken.None), Is.True);
        Assert.That(await writer.GetAsync<V1ConfigMap>(new ObjectKey(Namespace, "cm"), CancellationToken.None), Is.Null, "deleted");
        Assert.That(await writer.DeleteAsync<V1ConfigMap>(new ObjectKey(Namespace, "cm"), CancellationToken.None), Is.False, "404 → false");
    }
}
