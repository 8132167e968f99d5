using GmsaOperator.Runtime.Conditions;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime;

public sealed class ConditionTests
{
    [Test]
    public void KeepsLastTransitionTimeWhenStatusIsUnchanged()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var conditions = new List<V1Condition>();
        Assert.That(conditions.SetCondition("Ready", ConditionExtensions.True, "Applied", "ok", 1, time), Is.True);
        var first = conditions.Single().LastTransitionTime;

        time.Advance(TimeSpan.FromHours(1));
        Assert.That(conditions.SetCondition("Ready", ConditionExtensions.True, "Applied", "ok", 1, time), Is.False, "no change");
        Assert.That(conditions.SetCondition("Ready", ConditionExtensions.True, "Applied", "still ok", 2, time), Is.True);
        Assert.That(conditions.Single().LastTransitionTime, Is.EqualTo(first));
        Assert.That(conditions.Single().ObservedGeneration, Is.EqualTo(2));

        Assert.That(conditions.SetCondition("Ready", ConditionExtensions.False, "Failed", "no", 2, time), Is.True);
        Assert.That(conditions.Single().LastTransitionTime, Is.EqualTo(time.GetUtcNow().UtcDateTime));
        Assert.That(conditions.IsConditionTrue("Ready"), Is.False);
    }

    [Test]
    public void RejectsInvalidStatus() =>
        Assert.Throws<ArgumentException>(() => new List<V1Condition>().SetCondition("Ready", "yes", "R", "", null, TimeProvider.System));

    [Test]
    public void FindCondition_TakesTheFirstOfItsType_FromAListOrAnySequence()
    {
        V1Condition[] conditions = [new() { Type = "Synced", Status = "True" }, new() { Type = "Ready", Status = "False" }, new() { Type = "Ready", Status = "True" }];
        Assert.Multiple(() =>
        {
            Assert.That(conditions.FindCondition("Ready"), Is.SameAs(conditions[1]));
            Assert.That(conditions.Where(_ => true).FindCondition("Ready"), Is.SameAs(conditions[1]));
            Assert.That(conditions.FindCondition("ready"), Is.Null, "types compare ordinally");
            Assert.That(((IEnumerable<V1Condition>?)null).FindCondition("Ready"), Is.Null);
        });
    }
}
