using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>A flood of denied (or malformed) reviews must not become a flood of log lines: a budget per second, the rest counted.</summary>
public sealed class AdmissionEndpointDenialLogTests
{
    private const string Review = AdmissionRequests.PodReview;

    [Test]
    public async Task DenialsBeyondTheBudget_AreCounted_AndReportedWithTheNextLoggedOne()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<AdmissionEndpoint>();
        var endpoint = new AdmissionEndpoint(logger, 1024 * 1024, time);
        var extra = 150;

        for (var i = 0; i < AdmissionEndpoint.DenialLogsPerSecond + extra; i++) await DenyAsync(endpoint);
        Assert.That(Denials(logger), Is.EqualTo(AdmissionEndpoint.DenialLogsPerSecond), "only the budget is logged within a second");
        Assert.That(HeldBackLines(logger), Is.Empty);

        time.Advance(TimeSpan.FromSeconds(1));
        await DenyAsync(endpoint);

        Assert.That(Denials(logger), Is.EqualTo(AdmissionEndpoint.DenialLogsPerSecond + 1));
        Assert.That(HeldBackLines(logger), Is.EqualTo(new[] { $"admission: {extra} denials were not logged (at most {AdmissionEndpoint.DenialLogsPerSecond} a second are)" }));
    }

    [Test]
    public void Budget_RefillsEverySecond_AndReportsEachHeldBackCountOnce()
    {
        var time = new FakeTimeProvider();
        var budget = new LogBudget(time, 2);

        Assert.That(budget.TryTake(out var held), Is.True);
        Assert.That(held, Is.Zero);
        Assert.That(budget.TryTake(out _), Is.True);
        Assert.That(budget.TryTake(out _), Is.False);
        Assert.That(budget.TryTake(out _), Is.False);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(budget.TryTake(out _), Is.False, "still the same second");

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(budget.TryTake(out held), Is.True);
        Assert.That(held, Is.EqualTo(3));
        Assert.That(budget.TryTake(out held), Is.True);
        Assert.That(held, Is.Zero, "reported once");
    }

    [Test]
    public async Task MalformedRequestsBeyondTheBudget_AreCounted_AndReportedWithTheNextLoggedOne()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<AdmissionEndpoint>();
        var endpoint = new AdmissionEndpoint(logger, 1024 * 1024, time);
        var extra = 40;

        for (var i = 0; i < AdmissionEndpoint.MalformedLogsPerSecond + extra; i++) await MalformedAsync(endpoint);
        Assert.That(MalformedLines(logger), Has.Count.EqualTo(AdmissionEndpoint.MalformedLogsPerSecond));
        Assert.That(MalformedLines(logger), Has.All.EndWith("(not an AdmissionReview; 0 more since the last line)"));

        time.Advance(TimeSpan.FromSeconds(1));
        await MalformedAsync(endpoint);
        Assert.That(MalformedLines(logger)[^1], Does.EndWith($"(not an AdmissionReview; {extra} more since the last line)"));
    }

    private static Task MalformedAsync(AdmissionEndpoint endpoint) =>
        endpoint.HandleAsync(AdmissionRequests.Post("not json"), WebhookPaths.ValidatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Allow()));

    private static List<string> MalformedLines(ListLogger<AdmissionEndpoint> logger) =>
        [.. logger.Entries.Select(e => e.Message).Where(m => m.Contains("rejected malformed request", StringComparison.Ordinal))];

    private static Task DenyAsync(AdmissionEndpoint endpoint) =>
        endpoint.HandleAsync(AdmissionRequests.Post(Review), WebhookPaths.ValidatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Deny(403, "no")));

    private static int Denials(ListLogger<AdmissionEndpoint> logger) => logger.Entries.Count(e => e.Message.Contains(" denied code=403", StringComparison.Ordinal));

    private static List<string> HeldBackLines(ListLogger<AdmissionEndpoint> logger) =>
        [.. logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message)];
}
