using System.Text.RegularExpressions;
using GmsaOperator.Operator.Generation;
using GmsaOperator.Operator.Monitoring;

namespace GmsaOperator.Tests.Monitoring;

/// <summary>The rule set's own invariants; promtool (make prometheus-test) tests what each rule does.</summary>
public sealed partial class AlertRulesTests
{
    private static readonly string[] RequiredAlerts =
    [
        "GmsaWebhookCertificateExpiringSoon", "GmsaWebhookCaBundleFight", "GmsaReconcileErrorsSustained",
        "GmsaBindingsNotReady", "GmsaOperatorNoLeader", "GmsaAdmissionDenialsSpiking",
    ];

    [Test]
    public void TheRequiredAlertsExist_WithUniqueNames_AndASeverity()
    {
        var names = AlertRules.All.Select(r => r.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Is.SupersetOf(RequiredAlerts));
        Assert.That(AlertRules.All.Select(r => r.Severity), Has.All.AnyOf("warning", "critical"));
    }

    [Test]
    public void EveryRule_DeclaresExactlyTheMetricsItsExpressionReads()
    {
        foreach (var rule in AlertRules.All)
        {
            var read = MetricsRead(rule.Expression);
            Assert.That(read, Is.EqualTo(rule.Metrics.Order(StringComparer.Ordinal)), rule.Name);
        }
    }

    [Test]
    public void ThePrometheusRule_IsTheRulesDocument_WithDurationsInPrometheusSyntax()
    {
        var file = ConfigGenerator.Generate().Single(f => f.Path == "prometheus/prometheus_rule.yaml");

        Assert.That(file.Content, Does.EndWith(Indent(YamlWriter.Write(AlertRules.Groups(AlertRules.All)))),
            "hack/prometheus-test.sh extracts the spec as the last key, indented by two spaces");
        Assert.That(file.Content, Does.Contain("\n      for: 10m\n"));
    }

    [TestCase(600, "10m")]
    [TestCase(3600, "1h")]
    [TestCase(86400, "1d")]
    [TestCase(90, "90s")]
    [TestCase(0.25, "250ms")]
    [TestCase(0, "0s")]
    public void Durations_UseTheLargestExactUnit(double seconds, string expected) =>
        Assert.That(PrometheusDuration.Format(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));

    private static string Indent(string yaml) => "spec:\n" + string.Concat(yaml.Split('\n').Where(l => l.Length > 0).Select(l => "  " + l + "\n"));

    /// <summary>The identifiers of a PromQL expression that are neither functions, operators, label names nor durations.</summary>
    private static IEnumerable<string> MetricsRead(string expression)
    {
        var bare = NotMetrics().Replace(expression, " ");
        return Identifier().Matches(bare).Select(m => m.Value).Where(t => t is not ("and" or "or" or "unless")).Distinct().Order(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"\{[^}]*\}|\[[^\]]*\]|\b[a-z_]+\s+(by|without)\s*\([^)]*\)|\b[a-z_]+\s*\(")]
    private static partial Regex NotMetrics();

    [GeneratedRegex(@"\b[a-z_][a-z0-9_]*\b")]
    private static partial Regex Identifier();
}
