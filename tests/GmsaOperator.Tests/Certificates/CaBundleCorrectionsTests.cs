using System.Text.Json;
using GmsaOperator.Operator.Certificates;
using k8s.Models;

namespace GmsaOperator.Tests.Certificates;

public class CaBundleCorrectionsTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void FiveCorrectionsInTenMinutes_NoBackoff_TheSixthStartsOneThatDoublesUpToFiveMinutes()
    {
        var c = new CaBundleCorrections();
        for (var i = 0; i < 5; i++)
        {
            Assert.That(c.Record("Mutating/x", Start + TimeSpan.FromMinutes(i), out _), Is.Null);
        }
        Assert.That(c.BackoffUntil("Mutating/x", Start + TimeSpan.FromMinutes(5)), Is.Null);

        var sixth = Start + TimeSpan.FromMinutes(5);
        Assert.That(c.Record("Mutating/x", sixth, out var count), Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(count, Is.EqualTo(6));
        Assert.That(c.BackoffUntil("Mutating/x", sixth + TimeSpan.FromSeconds(10)), Is.EqualTo(sixth + TimeSpan.FromSeconds(30)));
        Assert.That(c.BackoffUntil("Mutating/x", sixth + TimeSpan.FromSeconds(30)), Is.Null, "backoff over");
        Assert.That(c.BackoffUntil("Validating/x", sixth), Is.Null, "per object");

        var backoffs = Enumerable.Range(1, 6).Select(i => c.Record("Mutating/x", sixth + TimeSpan.FromSeconds(i), out _)).ToList();
        Assert.That(backoffs, Is.EqualTo(new TimeSpan?[] { TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(240), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5) }));
    }

    [Test]
    public void CorrectionsOlderThanTheWindow_DoNotCount_AndAQuietObjectResetsItsBackoff()
    {
        var c = new CaBundleCorrections();
        for (var i = 0; i < 6; i++) c.Record("k", Start + TimeSpan.FromSeconds(i), out _);
        Assert.That(c.BackoffUntil("k", Start + TimeSpan.FromSeconds(6)), Is.Not.Null);

        var later = Start + TimeSpan.FromMinutes(11);
        Assert.That(c.Record("k", later, out var count), Is.Null);
        Assert.That(count, Is.EqualTo(1));
        Assert.That(c.BackoffUntil("k", later), Is.Null);
    }

    [Test]
    public void CompetingFieldManager_IsTheLatestOtherOwnerOfACaBundle()
    {
        static V1ManagedFieldsEntry Entry(string manager, string fields, int minute) => new()
        {
            Manager = manager,
            Operation = "Update",
            Time = Start.UtcDateTime + TimeSpan.FromMinutes(minute),
            FieldsV1 = JsonSerializer.Deserialize<JsonElement>(fields),
        };
        const string CaBundle = """{"f:webhooks":{"k:{\"name\":\"a\"}":{"f:clientConfig":{"f:caBundle":{}}}}}""";
        const string Url = """{"f:webhooks":{"k:{\"name\":\"a\"}":{"f:clientConfig":{"f:url":{}}}}}""";
        var fields = new List<V1ManagedFieldsEntry>
        {
            Entry("gmsa-operator-cabundle", CaBundle, 9),
            Entry("helm", Url, 8),
            Entry("old-tamperer", CaBundle, 1),
            Entry("kubectl-patch", CaBundle, 5),
        };
        Assert.That(CaBundleCorrections.CompetingFieldManager(fields, "gmsa-operator-cabundle"), Is.EqualTo("kubectl-patch"));
        Assert.That(CaBundleCorrections.CompetingFieldManager(fields.Take(2), "gmsa-operator-cabundle"), Is.Null);
        Assert.That(CaBundleCorrections.CompetingFieldManager(null, "gmsa-operator-cabundle"), Is.Null);
    }
}
