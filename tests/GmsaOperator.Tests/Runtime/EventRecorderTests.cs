using GmsaOperator.Runtime.Events;
using GmsaOperator.Runtime.Metrics;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime;

public sealed class EventRecorderTests
{
    private static V1ConfigMap Object(string name) => new() { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", Uid = name } };

    [Test]
    public void RateLimitsPerObjectWithoutBlockingOrThrowing()
    {
        var time = new FakeTimeProvider();
        var recorder = new EventRecorder(time, new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()), new EventBudget(3, TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 40; i++) recorder.Record(Object("a"), EventTypes.Normal, "Applied", "Reconcile", $"note {i}");
        recorder.Record(Object("b"), EventTypes.Warning, "Failed", "Reconcile", "other object has its own budget");
        recorder.Record(new V1ConfigMap(), EventTypes.Normal, "X", "Y", "no metadata: still no exception");
        Assert.That(recorder.Reader.Count, Is.EqualTo(3 + 1 + 1), "a's burst, b's first, the object without metadata");

        time.Advance(TimeSpan.FromSeconds(5));
        recorder.Record(Object("a"), EventTypes.Normal, "Applied", "Reconcile", "before the refill");
        Assert.That(recorder.Reader.Count, Is.EqualTo(5));
        time.Advance(TimeSpan.FromSeconds(5));
        recorder.Record(Object("a"), EventTypes.Normal, "Applied", "Reconcile", "refilled");
        recorder.Record(Object("a"), EventTypes.Normal, "Applied", "Reconcile", "only one refilled");
        Assert.That(recorder.Reader.Count, Is.EqualTo(6));
    }

    [Test]
    public void DefaultBudget_IsClientGosSpamFilter() =>
        Assert.That(EventBudget.Default, Is.EqualTo(new EventBudget(25, TimeSpan.FromMinutes(5))));
}
