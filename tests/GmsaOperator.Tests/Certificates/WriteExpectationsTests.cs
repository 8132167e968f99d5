using GmsaOperator.Operator.Certificates;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

public class WriteExpectationsTests
{
    private static Dictionary<string, string?> Cached(string? rv) => new() { ["Secret/ca"] = rv };

    [Test]
    public void Replace_WaitsWhileTheCacheShowsTheReplacedVersion_ThenOurOrAnyLaterVersionEndsIt()
    {
        var expectations = new WriteExpectations();
        expectations.Expect("Secret/ca", "5", "9", Start);
        Assert.That(expectations.WaitUntil(Cached("5"), Start), Is.EqualTo(Start + WriteExpectations.Limit));
        Assert.That(expectations.WaitUntil(Cached("9"), Start), Is.Null, "our write is in the cache");

        expectations.Expect("Secret/ca", "9", "12", Start);
        Assert.That(expectations.WaitUntil(Cached("14"), Start), Is.Null, "a later write by someone else counts too");
        Assert.That(expectations.WaitUntil(Cached("9"), Start), Is.Null, "and the expectation is gone");
    }

    [Test]
    public void Create_WaitsWhileTheObjectIsNotCached_AtMostTheLimit()
    {
        var expectations = new WriteExpectations();
        expectations.Expect("Secret/ca", null, "3", Start);
        Assert.That(expectations.WaitUntil(new Dictionary<string, string?>(), Start + TimeSpan.FromSeconds(1)), Is.EqualTo(Start + WriteExpectations.Limit));
        // Deleted right after we created it: the cache looks as before the write, so only the limit ends the wait.
        Assert.That(expectations.WaitUntil(Cached(null), Start + WriteExpectations.Limit), Is.Null);
    }

    [Test]
    public void ApplyThatChangedNothing_ExpectsNothing()
    {
        var expectations = new WriteExpectations();
        expectations.Expect("Mutating/m", "7", "7", Start);
        Assert.That(expectations.WaitUntil(new Dictionary<string, string?> { ["Mutating/m"] = "7" }, Start), Is.Null);
    }
}
