using System.Text.Json;
using GmsaOperator.Operator.Hosting;

namespace GmsaOperator.Tests.Hosting;

public class ClusterConnectionReporterTests
{
    [TestCase("""{"metadata":{"remainingItemCount":9999},"items":[{}]}""", 10_000)]
    [TestCase("""{"metadata":{},"items":[{}]}""", 1)]
    [TestCase("""{"metadata":{},"items":[]}""", 0)]
    public void Count_IsThePageAndTheRemainingItems(string page, long count) =>
        Assert.That(ClusterConnectionReporter.CountOf(JsonDocument.Parse(page).RootElement), Is.EqualTo(count));
}
