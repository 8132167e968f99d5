using GmsaOperator.Entities.Bindings;
using GmsaOperator.Runtime.Conditions;
using GmsaOperator.Runtime.Informers;
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

    /// <param name="count">The cached bindings counted with <see cref="Count"/>, or null while the cache has not synced.</param>
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

    /// <summary>The bindings of <paramref name="store"/> by readiness, counted where they are held: a scrape allocates nothing per binding.</summary>
    public static ReadinessCounts Count(ObjectStore<GmsaBinding> store) => store.Aggregate(default(ReadinessCounts), Tally);

    /// <summary>Adds one binding to the counts. Bindings being deleted are left out: they no longer grant anything.</summary>
    private static ReadinessCounts Tally(ReadinessCounts counts, GmsaBinding binding)
    {
        if (binding.Metadata.DeletionTimestamp is not null) return counts;
        return binding.Status?.Conditions.FindCondition(Reconcilers.BindingPlanner.ReadyType)?.Status switch
        {
            ConditionExtensions.True => counts with { Ready = counts.Ready + 1 },
            ConditionExtensions.False => counts with { NotReady = counts.NotReady + 1 },
            _ => counts with { Unknown = counts.Unknown + 1 },
        };
    }
}

/// <summary>GmsaBindings by the status of their Ready condition.</summary>
public readonly record struct ReadinessCounts(int Ready, int NotReady, int Unknown);
