using GmsaOperator.Entities.Bindings;
using Prometheus;

namespace GmsaOperator.Operator.Monitoring;

/// <summary>
/// <c>gmsa_bindings{ready="true|false|unknown"}</c>: how many GmsaBindings report each Ready status, counted from the
/// informer cache when /metrics is scraped (every replica caches GmsaBindings, so every replica reports the same).
/// One series per status, not per binding: the cost stays fixed however many bindings exist. Nothing is reported
/// until the cache has synced, so a starting replica never claims zero bindings.
/// </summary>
public sealed class GmsaBindingReadinessMetrics
{
    public const string MetricName = "gmsa_bindings";

    private readonly Func<IReadOnlyList<GmsaBinding>?> _bindings;
    private readonly Gauge _gauge;

    /// <param name="bindings">The cached bindings, or null while the cache has not synced.</param>
    public GmsaBindingReadinessMetrics(CollectorRegistry registry, Func<IReadOnlyList<GmsaBinding>?> bindings)
    {
        _bindings = bindings;
        _gauge = Metrics.WithCustomRegistry(registry).CreateGauge(MetricName,
            "GmsaBindings by the status of their Ready condition (unknown: none yet, or Unknown).",
            new GaugeConfiguration { LabelNames = ["ready"] });
        registry.AddBeforeCollectCallback(Update);
    }

    public void Update()
    {
        if (_bindings() is not { } bindings) return;
        var (ready, notReady, unknown) = Count(bindings);
        _gauge.WithLabels("true").Set(ready);
        _gauge.WithLabels("false").Set(notReady);
        _gauge.WithLabels("unknown").Set(unknown);
    }

    /// <summary>Bindings being deleted are left out: they no longer grant anything.</summary>
    public static (int Ready, int NotReady, int Unknown) Count(IEnumerable<GmsaBinding> bindings)
    {
        int ready = 0, notReady = 0, unknown = 0;
        foreach (var binding in bindings)
        {
            if (binding.Metadata.DeletionTimestamp is not null) continue;
            var status = binding.Status?.Conditions?.FirstOrDefault(c => c.Type == Reconcilers.BindingPlanner.ReadyType)?.Status;
            switch (status)
            {
                case "True": ready++; break;
                case "False": notReady++; break;
                default: unknown++; break;
            }
        }
        return (ready, notReady, unknown);
    }
}
