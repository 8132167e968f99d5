using System.Text.Json;
using GmsaOperator.Webhooks.Authorization;
using GmsaOperator.Webhooks.Http;
using GmsaOperator.Webhooks.Json;
using GmsaOperator.Webhooks.Admission;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks;

public sealed class AuthorizationTests
{
    private sealed class CountingReviewer : IAccessReviewer
    {
        public bool Allow { get; set; } = true;
        public int Calls { get; private set; }

        public ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(new AccessDecision(Allow, ""));
        }
    }

    private static readonly AccessSubject Sa = AccessSubject.ForServiceAccount("ns1", "web-sa");

    [Test]
    public async Task Cache_ReusesAllowedDecisions_UntilTtlExpires()
    {
        var inner = new CountingReviewer();
        var time = new FakeTimeProvider();
        var cache = new CachingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000, time);
        await cache.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        await cache.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        Assert.That(inner.Calls, Is.EqualTo(1));
        await cache.CanUseCredentialSpecAsync(Sa, "ns2", "webapp1", default);
        await cache.CanUseCredentialSpecAsync(AccessSubject.ForServiceAccount("ns1", "other"), "ns1", "webapp1", default);
        Assert.That(inner.Calls, Is.EqualTo(3), "namespace and subject are part of the key");
        time.Advance(TimeSpan.FromSeconds(10));
        inner.Allow = false;
        var revoked = await cache.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        Assert.That((revoked.Allowed, inner.Calls), Is.EqualTo((false, 4)), "revocation visible after the TTL");
    }

    [Test]
    public async Task Cache_NeverCachesDenials_AndZeroTtlDisables()
    {
        var inner = new CountingReviewer { Allow = false };
        var cache = new CachingAccessReviewer(inner, TimeSpan.FromSeconds(10), 10_000, new FakeTimeProvider());
        await cache.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        inner.Allow = true;
        var granted = await cache.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        Assert.That((granted.Allowed, inner.Calls), Is.EqualTo((true, 2)), "a new grant takes effect at once");

        var uncached = new CachingAccessReviewer(inner, TimeSpan.Zero, 10_000, new FakeTimeProvider());
        await uncached.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        await uncached.CanUseCredentialSpecAsync(Sa, "ns1", "webapp1", default);
        Assert.That(inner.Calls, Is.EqualTo(4));
    }

    [Test]
    public async Task Cache_HoldsAtMostMaxEntries_EvictingTheOldest()
    {
        var inner = new CountingReviewer();
        var time = new FakeTimeProvider();
        var cache = new CachingAccessReviewer(inner, TimeSpan.FromSeconds(10), 3, time);
        for (var i = 0; i < 5; i++)
        {
            await cache.CanUseCredentialSpecAsync(Sa, "ns1", $"spec-{i}", default);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.That((cache.Count, inner.Calls), Is.EqualTo((3, 5)));

        await cache.CanUseCredentialSpecAsync(Sa, "ns1", "spec-4", default);
        Assert.That(inner.Calls, Is.EqualTo(5), "the newest decision is still cached");
        await cache.CanUseCredentialSpecAsync(Sa, "ns1", "spec-0", default);
        Assert.That((cache.Count, inner.Calls), Is.EqualTo((3, 6)), "the oldest was evicted and is asked again");
    }

    [Test]
    public async Task Cache_ExpiredEntriesMakeRoomFirst()
    {
        var inner = new CountingReviewer();
        var time = new FakeTimeProvider();
        var cache = new CachingAccessReviewer(inner, TimeSpan.FromSeconds(10), 100, time);
        for (var i = 0; i < 50; i++) await cache.CanUseCredentialSpecAsync(Sa, "ns1", $"spec-{i}", default);
        time.Advance(TimeSpan.FromSeconds(11));
        await cache.CanUseCredentialSpecAsync(Sa, "ns1", "fresh", default);
        Assert.That(cache.Count, Is.EqualTo(1), "expired decisions are dropped when a new one is stored");
    }

    [Test]
    public void ReviewBody_IsUpstreamShape()
    {
        var json = KubernetesJson.Serialize(SubjectAccessReviewer.BuildReview(Sa, "ns1", "webapp1"));
        Assert.That(json, Is.EqualTo("""{"apiVersion":"authorization.k8s.io/v1","kind":"LocalSubjectAccessReview","metadata":{"namespace":"ns1"},"spec":{"groups":["system:serviceaccounts","system:serviceaccounts:ns1"],"resourceAttributes":{"group":"windows.k8s.io","name":"webapp1","namespace":"ns1","resource":"gmsacredentialspecs","verb":"use","version":"v1"},"user":"system:serviceaccount:ns1:web-sa"}}"""));
    }

    [Test]
    public void ResponseEnvelope_IsUpstreamShape()
    {
        static string Envelope(AdmissionResult result) =>
            JsonSerializer.Serialize(AdmissionReview.ForResponse(AdmissionEndpoint.Response("u1", result)), WebhookJsonContext.Default.AdmissionReview);
        Assert.That(Envelope(AdmissionResult.Allow()), Is.EqualTo("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"u1","allowed":true}}"""));
        Assert.That(Envelope(AdmissionResult.AllowWithPatch("[]"u8.ToArray())), Is.EqualTo("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"u1","allowed":true,"patch":"W10=","patchType":"JSONPatch"}}"""));
        Assert.That(Envelope(AdmissionResult.Deny(404, "cred spec x does not exist")), Is.EqualTo("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"u1","allowed":false,"status":{"metadata":{},"message":"cred spec x does not exist","code":404}}}"""));
    }

    [TestCase("application/json", true)]
    [TestCase("application/json; charset=utf-8", true)]
    [TestCase("Application/JSON", true)]
    [TestCase("text/plain", false)]
    [TestCase(null, false)]
    public void ContentType(string? value, bool accepted) => Assert.That(AdmissionEndpoint.IsJson(value), Is.EqualTo(accepted));
}
