using Prometheus;

namespace GmsaOperator.Operator.Reconcilers.StalePods;

/// <summary>Prometheus metrics of credential-spec contents changes reaching pods.</summary>
public sealed class StalePodMetrics
{
    public StalePodMetrics(CollectorRegistry registry)
    {
        var f = Metrics.WithCustomRegistry(registry);
        StalePods = f.CreateGauge("gmsa_stale_pods", "Tracked pods running with old contents of a credential spec, per binding.",
            new GaugeConfiguration { LabelNames = ["credspec", "namespace", "binding"] });
        RolloutsStarted = f.CreateCounter("gmsa_rollouts_started_total", "Workload restarts made because a credential spec's contents changed.",
            new CounterConfiguration { LabelNames = ["credspec", "kind"] });
    }

    /// <summary>Per binding (a credspec's total is the sum over its bindings); removed when a binding stops tracking.</summary>
    public Gauge StalePods { get; }

    public Counter RolloutsStarted { get; }
}
