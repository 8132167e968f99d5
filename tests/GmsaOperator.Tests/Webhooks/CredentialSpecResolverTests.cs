using GmsaOperator.Webhooks.Admission;
using static GmsaOperator.Tests.Webhooks.Requests;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>The resolver remembers canonical texts by the credspec's exact JSON, bounded, and never serves a stale one.</summary>
public sealed class CredentialSpecResolverTests
{
    [Test]
    public async Task SameObjectAgain_TheRememberedTextIsServed()
    {
        var resolver = new CredentialSpecResolver(new FakeCredentialSpecs().With("webapp1", WebApp1));

        var first = await resolver.ResolveAsync("webapp1", default);
        var again = await resolver.ResolveAsync("webapp1", default);

        Assert.That(first.Contents, Is.EqualTo(WebApp1Canonical));
        // The fake source parses a new document each time: only a remembered text is the same instance.
        Assert.That(again.Contents, Is.SameAs(first.Contents));
    }

    [Test]
    public async Task ChangedObject_IsCanonicalisedAfresh()
    {
        var specs = new FakeCredentialSpecs().With("webapp1", WebApp1);
        var resolver = new CredentialSpecResolver(specs);
        var before = await resolver.ResolveAsync("webapp1", default);

        specs.With("webapp1", WebApp1.Replace("WebApp1", "WebApp2", StringComparison.Ordinal));
        var after = await resolver.ResolveAsync("webapp1", default);

        Assert.That(before.Contents, Does.Contain("WebApp1"));
        Assert.That(after.Contents, Does.Contain("WebApp2").And.Not.Contain("WebApp1"));
    }

    [Test]
    public async Task Errors_AreNotRemembered_AndTheBoundHolds()
    {
        var specs = new FakeCredentialSpecs();
        for (var i = 0; i < 5; i++) specs.With("cs" + i, WebApp1);
        specs.Objects["broken"] = """{"apiVersion":"windows.k8s.io/v1","kind":"GMSACredentialSpec","metadata":{"name":"broken"}}""";
        var resolver = new CredentialSpecResolver(specs, maxRemembered: 2);

        Assert.That((await resolver.ResolveAsync("broken", default)).Error, Is.Not.Null);
        Assert.That(resolver.RememberedCount, Is.Zero);
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await resolver.ResolveAsync("cs" + i, default)).Contents, Is.EqualTo(WebApp1Canonical));
            Assert.That(resolver.RememberedCount, Is.InRange(1, 2));
        }
    }
}
