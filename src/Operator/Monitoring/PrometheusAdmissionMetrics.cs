using GmsaOperator.Webhooks.Http;
using Prometheus;

namespace GmsaOperator.Operator.Monitoring;

/// <summary>
/// <c>gmsa_admission_reviews_total{webhook, result}</c>: admission requests by path and outcome (allowed, denied,
/// error, malformed). Both labels come from fixed sets, so a flood of hostile requests cannot grow the series.
/// </summary>
public sealed class PrometheusAdmissionMetrics : IAdmissionMetrics
{
    public const string MetricName = "gmsa_admission_reviews_total";

    private readonly Counter _reviews;

    public PrometheusAdmissionMetrics(CollectorRegistry registry) =>
        _reviews = Metrics.WithCustomRegistry(registry).CreateCounter(MetricName,
            "Admission requests by webhook path and outcome (allowed, denied, error, malformed, overloaded).",
            new CounterConfiguration { LabelNames = ["webhook", "result"] });

    public void Reviewed(string webhook, AdmissionOutcome outcome) => _reviews.WithLabels(webhook, Label(outcome)).Inc();

    public static string Label(AdmissionOutcome outcome) => outcome switch
    {
        AdmissionOutcome.Allowed => "allowed",
        AdmissionOutcome.Denied => "denied",
        AdmissionOutcome.Error => "error",
        AdmissionOutcome.Overloaded => "overloaded",
        _ => "malformed",
    };
}
