using System.Net;
using GmsaOperator.Runtime.Metrics.Security;
using k8s.Autorest;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime.Metrics;

/// <summary>The /metrics filter: 401 without a valid token, 403 when not allowed, 500 when the authorizer fails; positive answers cached briefly.</summary>
public sealed class MetricsAccessFilterTests
{
    private const string Token = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";
    private static readonly MetricsCaller Scraper = new("system:serviceaccount:monitoring:prometheus", ["system:serviceaccounts", "system:serviceaccounts:monitoring"], "uid-1");

    private FakeTimeProvider _time = null!;
    private FakeAuthenticator _authenticator = null!;
    private FakeAuthorizer _authorizer = null!;
    private ListLogger<MetricsAccessFilter> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _authenticator = new FakeAuthenticator();
        _authorizer = new FakeAuthorizer();
        _logger = new ListLogger<MetricsAccessFilter>();
    }

    private MetricsAccessFilter Filter(TimeSpan? ttl = null, int capacity = 1000) =>
        new(_authenticator, _authorizer, new MetricsAccessCacheSettings(ttl ?? TimeSpan.FromSeconds(10), capacity), _time, _logger);

    [TestCase(null)]
    [TestCase("")]
    [TestCase("Basic dXNlcjpwYXNz")]
    [TestCase("Bearer")]
    [TestCase("Bearer ")]
    public async Task NoBearerToken_Is401WithoutAnyReview(string? header)
    {
        var (access, _) = await Filter().CheckAsync(header, "GET", "/metrics", CancellationToken.None);

        Assert.That(access, Is.EqualTo(MetricsAccess.Unauthenticated));
        Assert.That(_authenticator.Calls, Is.Empty);
        Assert.That(_authorizer.Calls, Is.Empty);
    }

    [Test]
    public async Task TokenTheApiServerRejects_Is401AndIsAskedAgainNextTime()
    {
        var filter = Filter();

        Assert.That((await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None)).Access, Is.EqualTo(MetricsAccess.Unauthenticated));
        Assert.That((await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None)).Access, Is.EqualTo(MetricsAccess.Unauthenticated));

        Assert.That(_authenticator.Calls, Is.EqualTo(new[] { Token, Token }));
        Assert.That(_authorizer.Calls, Is.Empty);
    }

    [Test]
    public async Task FailedTokenReview_Is401_AndNeitherTokenNorErrorTextIsLogged()
    {
        _authenticator.Failure = new HttpOperationException($"rejected {Token}")
        {
            Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Forbidden), $"tokenreviews is forbidden {Token}"),
        };

        var (access, _) = await Filter().CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None);

        Assert.That(access, Is.EqualTo(MetricsAccess.Unauthenticated));
        Assert.That(_logger.Lines, Has.One.Contains("TokenReview failed (HttpOperationException, HTTP 403)"));
        Assert.That(_logger.Lines, Has.None.Contains("secret-token-value"));
    }

    [Test]
    public async Task AuthenticatedButNotAllowed_Is403_AndNotCached()
    {
        _authenticator.Callers[Token] = Scraper;
        var filter = Filter();

        var (access, user) = await filter.CheckAsync($"bearer {Token}", "GET", "/metrics", CancellationToken.None);
        Assert.That(access, Is.EqualTo(MetricsAccess.Forbidden));
        Assert.That(user, Is.EqualTo(Scraper.User));

        // A grant takes effect at once: denials are never remembered.
        _authorizer.Allowed.Add((Scraper.User, "get", "/metrics"));
        Assert.That((await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None)).Access, Is.EqualTo(MetricsAccess.Allowed));
        Assert.That(_authorizer.Calls, Has.Count.EqualTo(2));
        Assert.That(_logger.Lines, Has.None.Contains("secret-token-value"));
    }

    [Test]
    public async Task Allowed_IsCachedForTheTimeToLiveOnly()
    {
        _authenticator.Callers[Token] = Scraper;
        _authorizer.Allowed.Add((Scraper.User, "get", "/metrics"));
        var filter = Filter(TimeSpan.FromSeconds(10));

        for (var i = 0; i < 5; i++)
        {
            Assert.That((await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None)).Access, Is.EqualTo(MetricsAccess.Allowed));
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.That((_authenticator.Calls.Count, _authorizer.Calls.Count), Is.EqualTo((1, 1)), "one TokenReview and one SubjectAccessReview for five scrapes");

        // Revoked: within the time to live it still works, after it the next scrape is asked about again and denied.
        _authorizer.Allowed.Clear();
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.That((await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None)).Access, Is.EqualTo(MetricsAccess.Forbidden));
        Assert.That((_authenticator.Calls.Count, _authorizer.Calls.Count), Is.EqualTo((2, 2)));
    }

    [Test]
    public async Task ZeroTimeToLive_AsksEveryTime()
    {
        _authenticator.Callers[Token] = Scraper;
        _authorizer.Allowed.Add((Scraper.User, "get", "/metrics"));
        var filter = Filter(TimeSpan.Zero);

        await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None);
        await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None);

        Assert.That((_authenticator.Calls.Count, _authorizer.Calls.Count), Is.EqualTo((2, 2)));
    }

    [Test]
    public async Task VerbIsTheLowerCasedMethodAndPathThePath()
    {
        _authenticator.Callers[Token] = Scraper;
        _authorizer.Allowed.Add((Scraper.User, "get", "/metrics"));
        var filter = Filter();

        Assert.That((await filter.CheckAsync($"Bearer {Token}", "POST", "/metrics", CancellationToken.None)).Access, Is.EqualTo(MetricsAccess.Forbidden));
        Assert.That((await filter.CheckAsync($"Bearer {Token}", "GET", "/healthz", CancellationToken.None)).Access, Is.EqualTo(MetricsAccess.Forbidden));

        Assert.That(_authorizer.Calls, Is.EqualTo(new[] { (Scraper, "post", "/metrics"), (Scraper, "get", "/healthz") }));
    }

    [Test]
    public async Task FailedSubjectAccessReview_IsAnError_NotAnAllowance()
    {
        _authenticator.Callers[Token] = Scraper;
        _authorizer.Failure = new HttpRequestException("connection refused");

        var (access, _) = await Filter().CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None);

        Assert.That(access, Is.EqualTo(MetricsAccess.AuthorizationFailed));
        Assert.That(_logger.Lines, Has.One.Contains("SubjectAccessReview failed (HttpRequestException, no HTTP response)"));
    }

    [Test]
    public async Task DifferentTokensOfTheSameCallerEachNeedAReview()
    {
        _authenticator.Callers[Token] = Scraper;
        _authenticator.Callers["other-token"] = Scraper;
        _authorizer.Allowed.Add((Scraper.User, "get", "/metrics"));
        var filter = Filter();

        await filter.CheckAsync($"Bearer {Token}", "GET", "/metrics", CancellationToken.None);
        await filter.CheckAsync("Bearer other-token", "GET", "/metrics", CancellationToken.None);

        Assert.That(_authenticator.Calls, Is.EqualTo(new[] { Token, "other-token" }));
        Assert.That(_authorizer.Calls, Has.Count.EqualTo(1), "the allowance is the caller's, whatever its token");
    }

    [TestCase("Bearer abc", "abc")]
    [TestCase("bearer abc", "abc")]
    [TestCase("  Bearer abc  ", "abc")]
    [TestCase("Bearer abc def", "abc")]
    [TestCase("Bearer  abc", null)]
    [TestCase("Token abc", null)]
    public void BearerTokenIsParsedAsTheApiServerDoes(string header, string? token) =>
        Assert.That(MetricsAccessFilter.BearerToken(header), Is.EqualTo(token));

    private sealed class FakeAuthenticator : IMetricsAuthenticator
    {
        public Dictionary<string, MetricsCaller> Callers { get; } = new();
        public List<string> Calls { get; } = [];
        public Exception? Failure { get; set; }

        public Task<MetricsCaller?> AuthenticateAsync(string token, CancellationToken cancellationToken)
        {
            Calls.Add(token);
            if (Failure is not null) throw Failure;
            return Task.FromResult(Callers.GetValueOrDefault(token));
        }
    }

    private sealed class FakeAuthorizer : IMetricsAuthorizer
    {
        public HashSet<(string User, string Verb, string Path)> Allowed { get; } = new();
        public List<(MetricsCaller Caller, string Verb, string Path)> Calls { get; } = [];
        public Exception? Failure { get; set; }

        public Task<bool> IsAllowedAsync(MetricsCaller caller, string path, string verb, CancellationToken cancellationToken)
        {
            Calls.Add((caller, verb, path));
            if (Failure is not null) throw Failure;
            return Task.FromResult(Allowed.Contains((caller.User, verb, path)));
        }
    }
}
