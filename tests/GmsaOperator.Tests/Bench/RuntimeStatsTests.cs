using System.Text;
using GmsaOperator.Bench;
using GmsaOperator.Runtime.Metrics;
using Prometheus;

namespace GmsaOperator.Tests.Bench;

/// <summary>The bench reads the operator's own /metrics text: the reviews over 10 ms come from the latency histogram's buckets.</summary>
public sealed class RuntimeStatsTests
{
    private static async Task<string> ExposeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Test]
    public async Task PostsOver10Ms_CountsOnlyPostsPastTheTenMillisecondBucket_BetweenTwoSnapshots()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new RuntimeMetrics(registry);
        metrics.RestLatency.WithLabels("POST").Observe(0.050); // before the measured part: not counted
        var before = RuntimeStats.From(await ExposeAsync(registry));

        foreach (var seconds in new[] { 0.002, 0.009, 0.010, 0.011, 0.030, 2.0 }) metrics.RestLatency.WithLabels("POST").Observe(seconds);
        metrics.RestLatency.WithLabels("GET").Observe(0.500); // not a review
        var during = RuntimeStats.From(await ExposeAsync(registry))!.Minus(before!);

        Assert.That(during.Posts, Is.EqualTo(6));
        Assert.That(during.PostsOver10Ms, Is.EqualTo(3), "10 ms itself is inside the le=0.01 bucket");
    }
}
