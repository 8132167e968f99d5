using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Monitoring;
using GmsaOperator.Runtime.Informers;
using k8s.Models;
using Prometheus;

namespace GmsaOperator.Tests.Monitoring;

/// <summary>gmsa_bindings{ready} counts the cached bindings by their Ready condition, at scrape time.</summary>
public sealed class GmsaBindingReadinessMetricsTests
{
    [Test]
    public void Count_SortsBindingsByReadyStatus_AndSkipsThoseBeingDeleted()
    {
        var deleting = Binding("gone", "False");
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;

        var counts = GmsaBindingReadinessMetrics.Count(Store(Binding("a", "True"), Binding("b", "True"), Binding("c", "False"), Binding("d", "Unknown"), Binding("e", null), deleting));

        Assert.That(counts, Is.EqualTo(new ReadinessCounts(Ready: 2, NotReady: 1, Unknown: 2)));
    }

    [Test]
    public async Task EachScrape_ReportsTheCacheAsItIsThen()
    {
        var registry = Metrics.NewCustomRegistry();
        var cached = Store(Binding("a", "True"), Binding("b", "False"));
        _ = new GmsaBindingReadinessMetrics(registry, () => GmsaBindingReadinessMetrics.Count(cached));

        Assert.That(Samples(await AdmissionMetricsTests.ExportAsync(registry)),
            Is.EquivalentTo(new[] { """gmsa_bindings{ready="true"} 1""", """gmsa_bindings{ready="false"} 1""", """gmsa_bindings{ready="unknown"} 0""" }));

        cached.Upsert(Binding("b", "True"));
        Assert.That(Samples(await AdmissionMetricsTests.ExportAsync(registry)),
            Is.EquivalentTo(new[] { """gmsa_bindings{ready="true"} 2""", """gmsa_bindings{ready="false"} 0""", """gmsa_bindings{ready="unknown"} 0""" }));
    }

    [Test]
    public async Task AScrapeOfTenThousandCachedBindings_AllocatesNothingPerBinding()
    {
        var store = new ObjectStore<GmsaBinding>();
        for (var i = 0; i < 10_000; i++) store.Upsert(Binding($"b{i}", i % 10 == 0 ? "False" : "True"));
        var registry = Metrics.NewCustomRegistry();
        var metrics = new GmsaBindingReadinessMetrics(registry, () => GmsaBindingReadinessMetrics.Count(store));
        metrics.Update();

        var before = GC.GetAllocatedBytesForCurrentThread();
        metrics.Update();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.LessThan(4096), "listing the bindings to count them put an 80 KB array on the large object heap per scrape");
        Assert.That(Samples(await AdmissionMetricsTests.ExportAsync(registry)),
            Is.EquivalentTo(new[] { """gmsa_bindings{ready="true"} 9000""", """gmsa_bindings{ready="false"} 1000""", """gmsa_bindings{ready="unknown"} 0""" }));
    }

    [Test]
    public async Task BeforeTheCacheSynced_NothingIsReported()
    {
        var registry = Metrics.NewCustomRegistry();
        _ = new GmsaBindingReadinessMetrics(registry, () => null);

        Assert.That(Samples(await AdmissionMetricsTests.ExportAsync(registry)), Is.Empty, "a starting replica must not claim that no binding is unready");
    }

    private static string[] Samples(string text) => [.. text.Split('\n').Where(l => l.StartsWith(GmsaBindingReadinessMetrics.MetricName + "{", StringComparison.Ordinal))];

    private static ObjectStore<GmsaBinding> Store(params GmsaBinding[] bindings)
    {
        var store = new ObjectStore<GmsaBinding>();
        foreach (var binding in bindings) store.Upsert(binding);
        return store;
    }

    private static GmsaBinding Binding(string name, string? ready) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop" },
        Spec = new GmsaBindingSpec { CredentialSpecName = "webapp1", ServiceAccounts = ["default"] },
        Status = ready is null ? null : new GmsaBindingStatus { Conditions = [new V1Condition { Type = "Ready", Status = ready, Reason = "R", Message = "m", LastTransitionTime = DateTime.UtcNow }] },
    };
}
