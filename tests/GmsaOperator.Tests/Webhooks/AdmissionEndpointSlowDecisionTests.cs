using System.Text;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>A decision that takes seconds explains why the API server refused an object (timeout, failurePolicy Fail): it is logged.</summary>
public sealed class AdmissionEndpointSlowDecisionTests
{
    private const string Review = AdmissionRequests.PodReview;

    [TestCase(999, false)]
    [TestCase(2_500, true)]
    public async Task DecisionTakingASecondOrMore_IsAWarningWithItsDuration(int milliseconds, bool logged)
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<AdmissionEndpoint>();
        var endpoint = new AdmissionEndpoint(logger, 1024 * 1024, time);

        await endpoint.HandleAsync(AdmissionRequests.Post(Review), WebhookPaths.ValidatePod, (_, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(milliseconds));
            return ValueTask.FromResult(AdmissionResult.Allow());
        });

        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        if (logged) Assert.That(warnings, Is.EqualTo(new[] { $"admission {WebhookPaths.ValidatePod} uid=u1 namespace=shop name=web: the decision took {milliseconds} ms (API server gave up: False)" }));
        else Assert.That(warnings, Is.Empty);
    }

    [Test]
    public void DecisionAbandonedByTheApiServer_IsLoggedAsSuch()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<AdmissionEndpoint>();
        var endpoint = new AdmissionEndpoint(logger, 1024 * 1024, time);
        using var aborted = new CancellationTokenSource();
        var context = AdmissionRequests.Post(Review);
        context.RequestAborted = aborted.Token;

        Assert.CatchAsync<OperationCanceledException>(async () => await endpoint.HandleAsync(context, WebhookPaths.ValidatePod, async (_, ct) =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await aborted.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return AdmissionResult.Allow();
        }));

        Assert.That(logger.Entries.Single(e => e.Level == LogLevel.Warning).Message, Does.EndWith("the decision took 5000 ms (API server gave up: True)"));
    }

    /// <summary>A body that never arrives: reading it waits until the caller gives up.</summary>
    private sealed class StalledBody : MemoryStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }

    [Test]
    public async Task BodyNeverReceived_BeforeTheApiServerGaveUp_IsLoggedAndNothingIsAnswered()
    {
        var logger = new ListLogger<AdmissionEndpoint>();
        var endpoint = new AdmissionEndpoint(logger, 1024 * 1024, new FakeTimeProvider());
        using var aborted = new CancellationTokenSource();
        var context = AdmissionRequests.Post(Review);
        context.Request.Body = new StalledBody();
        context.RequestAborted = aborted.Token;
        var handled = false;

        var handling = endpoint.HandleAsync(context, WebhookPaths.ValidatePod, (_, _) =>
        {
            handled = true;
            return ValueTask.FromResult(AdmissionResult.Allow());
        });
        await aborted.CancelAsync();
        await handling;

        Assert.That(handled, Is.False);
        Assert.That(context.Response.Body.Length, Is.Zero, "no answer to a caller that has gone");
        Assert.That(logger.Entries.Single(e => e.Level == LogLevel.Warning).Message, Does.Contain("request body not received").And.Contain("caller gave up"));
    }
}
