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

    private readonly Func<ReadinessCounts?> _count;
    private readonly Gauge _gauge;

    /// <param name="count">The cached bindings counted with <see cref="Tally"/>, or null while the cache has not synced.
    /// Counted where they are held rather than listed: a scrape then allocates nothing per binding.</param>
    public GmsaBindingReadinessMetrics(CollectorRegistry registry, Func<ReadinessCounts?> count)
    {
        _count = count;
        _gauge = Metrics.WithCustomRegistry(registry).CreateGauge(MetricName,
            "GmsaBindings by the status of their Ready condition (unknown: none yet, or Unknown).",
            new GaugeConfiguration { LabelNames = ["ready"] });
        registry.AddBeforeCollectCallback(Update);
    }

    public void Update()
    {
        if (_count() is not var (ready, notReady, unknown)) return;
        _gauge.WithLabels("true").Set(ready);
        _gauge.WithLabels("false").Set(notReady);
        _gauge.WithLabels("unknown").Set(unknown);
    }

    /// <summary>Adds one binding to the counts. Bindings being deleted are left out: they no longer grant anything.</summary>
    public static ReadinessCounts Tally(ReadinessCounts counts, GmsaBinding binding)
    {
        if (binding.Metadata.DeletionTimestamp is not null) return counts;
        string? status = null;
        // Indexed: enumerating the IList would box an enumerator per binding, on every scrape.
        if (binding.Status?.Conditions is { } conditions)
        {
            for (var i = 0; i < conditions.Count && status is null; i++)
            {
                if (conditions[i].Type == Reconcilers.BindingPlanner.ReadyType) status = conditions[i].Status ?? "";
            }
        }
        return status switch
        {
            "True" => counts with { Ready = counts.Ready + 1 },
            "False" => counts with { NotReady = counts.NotReady + 1 },
            _ => counts with { Unknown = counts.Unknown + 1 },
        };
    }

    public static ReadinessCounts Count(IEnumerable<GmsaBinding> bindings) => bindings.Aggregate(default(ReadinessCounts), Tally);
}

/// <summary>GmsaBindings by the status of their Ready condition.</summary>
public readonly record struct ReadinessCounts(int Ready, int NotReady, int Unknown);
