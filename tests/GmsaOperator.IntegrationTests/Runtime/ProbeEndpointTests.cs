using System.Net;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>The real operator host answers /healthz, /readyz and (plain metrics, as in local mode) /metrics on its health port.</summary>
public sealed class ProbeEndpointTests : IntegrationTest
{
    [Test]
    public async Task HealthReadinessAndMetricsAnswer()
    {
        await using var op = OperatorInTest.Build(new(Namespace));
        await op.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{op.HealthPort}") };

        var live = await http.GetAsync("/healthz");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await live.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));

        await Eventually.HoldsAsync(async ct => (await http.GetAsync("/readyz", ct)).IsSuccessStatusCode ? "ready" : null, TimeSpan.FromSeconds(10), "/readyz to pass");

        var metrics = await Eventually.HoldsAsync(async ct =>
        {
            var text = await http.GetStringAsync("/metrics", ct);
            return text.Contains("leader_election_master_status{name=\"gmsa-operator-leader\"} 1", StringComparison.Ordinal) ? text : null;
        }, TimeSpan.FromSeconds(10), "the host to lead and report it on /metrics");
        Assert.That(metrics, Does.Contain("rest_client_requests_total{"));
        Assert.That(metrics, Does.Contain("# TYPE controller_runtime_reconcile_total counter"));
        Assert.That(metrics, Does.Contain("# TYPE workqueue_depth gauge"));
    }
}
