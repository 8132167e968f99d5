using System.Text;
using GmsaOperator.Operator.Monitoring;
using GmsaOperator.Tests.Webhooks;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Http;
using Prometheus;

namespace GmsaOperator.Tests.Monitoring;

/// <summary>Every admission request is counted once, by path and outcome, in gmsa_admission_reviews_total.</summary>
public sealed class AdmissionMetricsTests
{
    [Test]
    public async Task EachOutcome_IsCountedUnderItsWebhookPath()
    {
        var registry = Metrics.NewCustomRegistry();
        var endpoint = new AdmissionEndpoint(new ListLogger<AdmissionEndpoint>(), 1024 * 1024, metrics: new PrometheusAdmissionMetrics(registry));

        await endpoint.HandleAsync(AdmissionRequests.Post(AdmissionRequests.PodReview), WebhookPaths.MutatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Allow()));
        await endpoint.HandleAsync(AdmissionRequests.Post(AdmissionRequests.PodReview), WebhookPaths.ValidatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Deny(403, "no")));
        await endpoint.HandleAsync(AdmissionRequests.Post(AdmissionRequests.PodReview), WebhookPaths.ValidatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Deny(403, "no")));
        await endpoint.HandleAsync(AdmissionRequests.Post(AdmissionRequests.PodReview), WebhookPaths.ValidateGmsaBinding, (_, _) => throw new InvalidOperationException("bug"));
        await endpoint.HandleAsync(AdmissionRequests.Post("not json"), WebhookPaths.ValidateCredentialSpec, (_, _) => ValueTask.FromResult(AdmissionResult.Allow()));
        var get = AdmissionRequests.Post(AdmissionRequests.PodReview);
        get.Request.Method = "GET";
        await endpoint.HandleAsync(get, WebhookPaths.MutatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Allow()));

        var text = await ExportAsync(registry);
        Assert.That(Samples(text), Is.EquivalentTo(new[]
        {
            """gmsa_admission_reviews_total{webhook="/mutate",result="allowed"} 1""",
            """gmsa_admission_reviews_total{webhook="/validate",result="denied"} 2""",
            """gmsa_admission_reviews_total{webhook="/validate-gmsabinding",result="error"} 1""",
            """gmsa_admission_reviews_total{webhook="/validate-gmsacredentialspec",result="malformed"} 1""",
            """gmsa_admission_reviews_total{webhook="/mutate",result="malformed"} 1""",
        }));
    }

    [Test]
    public async Task WithoutMetrics_TheEndpointCountsNothing_AndStillAnswers()
    {
        var endpoint = new AdmissionEndpoint(new ListLogger<AdmissionEndpoint>(), 1024 * 1024);
        var context = AdmissionRequests.Post(AdmissionRequests.PodReview);

        await endpoint.HandleAsync(context, WebhookPaths.MutatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Allow()));

        Assert.That(context.Response.StatusCode, Is.EqualTo(200));
    }

    internal static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string[] Samples(string text) => [.. text.Split('\n').Where(l => l.StartsWith(PrometheusAdmissionMetrics.MetricName + "{", StringComparison.Ordinal))];
}
