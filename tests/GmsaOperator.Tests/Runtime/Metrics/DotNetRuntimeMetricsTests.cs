using System.Globalization;
using GmsaOperator.Runtime.Metrics;
using Prometheus;

namespace GmsaOperator.Tests.Runtime.Metrics;

/// <summary>The runtime's metrics declare GC pauses, collections per generation and the thread pool, read at scrape time.</summary>
public sealed class DotNetRuntimeMetricsTests
{
    [Test]
    public async Task RuntimeMetrics_DeclareGcAndThreadPoolSeries()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new RuntimeMetrics(registry);

        var text = await ExportAsync(registry);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain($"# TYPE {DotNetRuntimeMetrics.GcPause} counter\n"));
            Assert.That(text, Does.Contain($"# TYPE {DotNetRuntimeMetrics.GcCollections} counter\n"));
            Assert.That(text, Does.Contain($"# TYPE {DotNetRuntimeMetrics.GcAllocated} counter\n"));
            Assert.That(text, Does.Contain($"# TYPE {DotNetRuntimeMetrics.ThreadPoolQueueLength} gauge\n"));
            Assert.That(text, Does.Contain($"# TYPE {DotNetRuntimeMetrics.ThreadPoolThreads} gauge\n"));
            Assert.That(text, Does.Contain($"# TYPE {DotNetRuntimeMetrics.GcHeapSize} gauge\n"));
            Assert.That(text, Does.Contain($"# TYPE {DotNetRuntimeMetrics.GcHeapLimit} gauge\n"));
            for (var g = 0; g <= GC.MaxGeneration; g++) Assert.That(text, Does.Contain($"{DotNetRuntimeMetrics.GcCollections}{{generation=\"{g}\"}} "));
        });
    }

    [Test]
    public async Task EachScrape_ReadsTheCollectorAsItIsThen()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetRuntimeMetrics.Register(registry);
        var before = Value(await ExportAsync(registry), $"{DotNetRuntimeMetrics.GcCollections}{{generation=\"0\"}}");

        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        var low = GC.CollectionCount(0);
        var text = await ExportAsync(registry);
        var high = GC.CollectionCount(0);
        var after = Value(text, $"{DotNetRuntimeMetrics.GcCollections}{{generation=\"0\"}}");

        Assert.That(after, Is.GreaterThanOrEqualTo(before + 1));
        Assert.That(after, Is.InRange(low, high), "the counter is GC.CollectionCount at the scrape");
    }

    [Test]
    public async Task AllocatedBytes_GrowWithWhatThisProcessAllocates()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetRuntimeMetrics.Register(registry);
        var before = Value(await ExportAsync(registry), DotNetRuntimeMetrics.GcAllocated);

        var kept = new byte[4 << 20];
        var after = Value(await ExportAsync(registry), DotNetRuntimeMetrics.GcAllocated);

        Assert.That(after - before, Is.GreaterThanOrEqualTo(kept.Length));
    }

    [Test]
    public async Task GenerationSizes_PlaceALargeArrayInTheLargeObjectHeap()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetRuntimeMetrics.Register(registry);
        var large = new byte[8 << 20];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        var text = await ExportAsync(registry);
        GC.KeepAlive(large);

        var series = DotNetRuntimeMetrics.GenerationNames.ToDictionary(g => g, g => Value(text, $"{DotNetRuntimeMetrics.GcGenerationSize}{{generation=\"{g}\"}}"));
        Assert.Multiple(() =>
        {
            Assert.That(series["loh"], Is.GreaterThanOrEqualTo(large.Length), "an 8 MiB array lives in the large object heap");
            Assert.That(series["0"] + series["1"] + series["2"], Is.LessThan(GC.GetGCMemoryInfo().HeapSizeBytes), "the small-object generations do not count it");
        });
    }

    [Test]
    public async Task Gen0MaxBudget_IsTheOneTheCollectorReports()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetRuntimeMetrics.Register(registry);

        var text = await ExportAsync(registry);

        var reported = DotNetRuntimeMetrics.Gen0MaxBudgetBytes();
        Assert.That(reported, Is.Not.Null.And.GreaterThan(0), "the collector reports the budget it computed at startup");
        Assert.That(Value(text, DotNetRuntimeMetrics.GcGen0MaxBudget), Is.EqualTo((double)reported!.Value));
    }

    private static double Value(string text, string series) =>
        double.Parse(text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);

    private static Task<string> ExportAsync(CollectorRegistry registry) => Monitoring.AdmissionMetricsTests.ExportAsync(registry);
}
