using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Generation;
using GmsaOperator.Operator.Monitoring;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Monitoring;

/// <summary>
/// The shipped alert rules on a real Prometheus against the real operator: a renamed metric or a rule Prometheus
/// rejects fails here. The rules are <see cref="AlertRules.All"/> with their <c>for</c> shortened, nothing hand-copied.
/// </summary>
[NonParallelizable]
public sealed class AlertRulesTests : IntegrationTest
{
    private static readonly TimeSpan ShortFor = TimeSpan.FromSeconds(2);
    private OperatorInTest _operator = null!;

    [OneTimeSetUp]
    public async Task StartOperatorAsync()
    {
        PrometheusServer.Binary();
        _operator = await OperatorInTest.StartAsync(new("gmsa-it-monitoring"));
    }

    [OneTimeTearDown]
    public async Task StopOperatorAsync()
    {
        if (_operator is not null) await _operator.DisposeAsync();
    }

    [Test]
    public async Task TheOperatorExposesEveryMetricTheRulesRead()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_operator.HealthPort}") };
        var wanted = AlertRules.All.SelectMany(r => r.Metrics).Distinct().ToList();

        var text = await Eventually.HoldsAsync(async ct =>
        {
            var metrics = await http.GetStringAsync("/metrics", ct);
            return wanted.All(m => metrics.Contains($"\n# TYPE {m} ", StringComparison.Ordinal)) ? metrics : null;
        }, TimeSpan.FromSeconds(30), "/metrics to declare every metric the alert rules read");

        Assert.That(wanted.Where(m => !text.Contains($"\n# TYPE {m} ", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task ABindingWhoseCredSpecIsMissing_FiresGmsaBindingsNotReady()
    {
        var binding = new GmsaBinding
        {
            Metadata = new V1ObjectMeta { Name = "orphan", NamespaceProperty = Namespace },
            Spec = new GmsaBindingSpec { CredentialSpecName = $"{Namespace}-missing", ServiceAccounts = ["default"] },
        };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(binding, GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural);

        var rules = YamlWriter.Write(AlertRules.Groups(AlertRules.All.Select(r => r with { For = ShortFor })));
        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{_operator.HealthPort}", rules, CancellationToken.None);

        try
        {
            await Eventually.HoldsAsync(async ct =>
            {
                var alerts = await prometheus.AlertsAsync(ct);
                return alerts.Contains(("GmsaBindingsNotReady", "firing")) ? "firing" : null;
            }, TimeSpan.FromSeconds(60), "Prometheus to report GmsaBindingsNotReady firing");
        }
        catch (AssertionException)
        {
            await TestContext.Out.WriteLineAsync($"prometheus said:\n{prometheus.Output}");
            throw;
        }
    }
}
