using GmsaOperator.Runtime.Metrics.Security;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime.Metrics;

/// <summary>The review bodies the metrics filter sends and reads, and its bounded cache.</summary>
public sealed class MetricsAccessReviewsTests
{
    [Test]
    public void SubjectAccessReviewAsksForTheNonResourceUrl()
    {
        var caller = new MetricsCaller("alice", ["devs", "system:authenticated"], "u-1",
            new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["a", "b"] });

        var review = SubjectAccessReviewAuthorizer.BuildReview(caller, "/metrics", "get");

        Assert.That(KubernetesJson.Serialize(review), Is.EqualTo(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"extra":{"scopes":["a","b"]},"groups":["devs","system:authenticated"],"nonResourceAttributes":{"path":"/metrics","verb":"get"},"uid":"u-1","user":"alice"}}"""));
    }

    [Test]
    public void TokenReviewNamesTheCallerOnlyWhenAuthenticated()
    {
        var user = new V1UserInfo
        {
            Username = "system:serviceaccount:monitoring:prometheus",
            Uid = "u-2",
            Groups = ["system:serviceaccounts"],
            Extra = new Dictionary<string, IList<string>> { ["authentication.kubernetes.io/pod-name"] = ["prom-0"] },
        };

        var caller = TokenReviewAuthenticator.Caller(new V1TokenReviewStatus { Authenticated = true, User = user });

        Assert.That(caller, Is.Not.Null);
        Assert.That((caller!.User, caller.Uid, caller.Groups.Single()), Is.EqualTo((user.Username, "u-2", "system:serviceaccounts")));
        Assert.That(caller.Extra!["authentication.kubernetes.io/pod-name"], Is.EqualTo(new[] { "prom-0" }));
        Assert.That(TokenReviewAuthenticator.Caller(new V1TokenReviewStatus { Authenticated = false, User = user }), Is.Null);
        Assert.That(TokenReviewAuthenticator.Caller(new V1TokenReviewStatus { Authenticated = true, User = new V1UserInfo() }), Is.Null);
        Assert.That(TokenReviewAuthenticator.Caller(null), Is.Null);
    }

    [Test]
    public void CallersDifferingInGroupsOrExtraHaveDifferentCacheKeys()
    {
        var a = new MetricsCaller("alice", ["g1"]);
        Assert.That(new MetricsCaller("alice", ["g1"]).CacheKey, Is.EqualTo(a.CacheKey));
        Assert.That(new MetricsCaller("alice", ["g1", "g2"]).CacheKey, Is.Not.EqualTo(a.CacheKey));
        Assert.That(new MetricsCaller("alice", ["g1"], "uid").CacheKey, Is.Not.EqualTo(a.CacheKey));
        Assert.That(new MetricsCaller("alice", ["g1"], Extra: new Dictionary<string, IReadOnlyList<string>> { ["k"] = ["v"] }).CacheKey, Is.Not.EqualTo(a.CacheKey));
    }

    [Test]
    public void CacheHoldsAtMostItsCapacityAndMakesRoomAsEntriesExpire()
    {
        var time = new FakeTimeProvider();
        var cache = new ExpiringCache<int>(TimeSpan.FromSeconds(10), capacity: 2, time);

        cache.Set("a", 1);
        time.Advance(TimeSpan.FromSeconds(5));
        cache.Set("b", 2);
        cache.Set("c", 3);
        Assert.That(cache.Count, Is.EqualTo(2));
        Assert.That(cache.TryGet("c", out _), Is.False, "full: not remembered");
        Assert.That(cache.TryGet("a", out var a) && a == 1, Is.True);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(cache.TryGet("a", out _), Is.False, "expired");
        cache.Set("c", 3);
        Assert.That(cache.TryGet("c", out var c) && c == 3, Is.True);
        Assert.That(cache.Count, Is.EqualTo(2));
    }
}
