using GmsaOperator.Runtime.Queue;
using Prometheus;

namespace GmsaOperator.Runtime.Metrics;

/// <summary>Prometheus collectors under controller-runtime's and client-go's metric names, so existing dashboards work.</summary>
public sealed class RuntimeMetrics
{
    /// <summary>API request latency by verb; its buckets start at 5 ms and double.</summary>
    public const string RestLatencyName = "rest_client_request_duration_seconds";

    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.005, 2, 16); // 5 ms … ~160 s

    public RuntimeMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        ReconcileTotal = f.CreateCounter("controller_runtime_reconcile_total", "Total number of reconciliations per controller.", "controller", "result");
        ReconcileErrors = f.CreateCounter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller.", "controller");
        ReconcileTime = f.CreateHistogram("controller_runtime_reconcile_time_seconds", "Length of time per reconciliation per controller.",
            new HistogramConfiguration { LabelNames = ["controller"], Buckets = DurationBuckets });
        MaxConcurrentReconciles = f.CreateGauge("controller_runtime_max_concurrent_reconciles", "Maximum number of concurrent reconciles per controller.", "controller");
        ActiveWorkers = f.CreateGauge("controller_runtime_active_workers", "Number of currently used workers per controller.", "controller");
        QueueDepth = f.CreateGauge("workqueue_depth", "Current depth of workqueue.", "name", "controller");
        QueueAdds = f.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue.", "name", "controller");
        QueueLatency = f.CreateHistogram("workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested.",
            new HistogramConfiguration { LabelNames = ["name", "controller"], Buckets = DurationBuckets });
        WorkDuration = f.CreateHistogram("workqueue_work_duration_seconds", "How long in seconds processing an item from workqueue takes.",
            new HistogramConfiguration { LabelNames = ["name", "controller"], Buckets = DurationBuckets });
        QueueRetries = f.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue.", "name", "controller");
        LeaderStatus = f.CreateGauge("leader_election_master_status", "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.", "name");
        RestRequests = f.CreateCounter("rest_client_requests_total", "Number of HTTP requests, partitioned by status code, method, and host.", "code", "method", "host");
        RestRequestsByResource = f.CreateCounter("rest_client_requests_by_resource_total",
            "API requests by Kubernetes verb and resource (e.g. create localsubjectaccessreviews, patch gmsabindings/status).", "verb", "resource");
        RestLatency = f.CreateHistogram(RestLatencyName, "Request latency in seconds, by verb.",
            new HistogramConfiguration { LabelNames = ["verb"], Buckets = DurationBuckets });
        InformerSynced = f.CreateGauge("informer_synced", "1 when the informer's cache completed its first list.", "informer");
        EventsDropped = f.CreateCounter("events_dropped_total", "Events not emitted because of rate limits, a full buffer or API errors.", "reason");
        DotNetRuntimeMetrics.Register(registry);
    }

    public CollectorRegistry Registry { get; }
    public Counter ReconcileTotal { get; }
    public Counter ReconcileErrors { get; }
    public Histogram ReconcileTime { get; }
    public Gauge MaxConcurrentReconciles { get; }
    public Gauge ActiveWorkers { get; }
    public Gauge QueueDepth { get; }
    public Counter QueueAdds { get; }
    public Histogram QueueLatency { get; }
    public Histogram WorkDuration { get; }
    public Counter QueueRetries { get; }
    public Gauge LeaderStatus { get; }
    public Counter RestRequests { get; }
    public Counter RestRequestsByResource { get; }
    public Histogram RestLatency { get; }
    public Gauge InformerSynced { get; }
    public Counter EventsDropped { get; }

    /// <summary>The queue metrics of one controller (queue name = controller name, as in controller-runtime).</summary>
    public IWorkQueueMetrics ForQueue(string controller) => new QueueMetrics(this, controller);

    private sealed class QueueMetrics(RuntimeMetrics m, string controller) : IWorkQueueMetrics
    {
        public void Added() => m.QueueAdds.WithLabels(controller, controller).Inc();
        public void Depth(int depth) => m.QueueDepth.WithLabels(controller, controller).Set(depth);
        public void QueueLatency(TimeSpan waited) => m.QueueLatency.WithLabels(controller, controller).Observe(waited.TotalSeconds);
        public void WorkDuration(TimeSpan worked) => m.WorkDuration.WithLabels(controller, controller).Observe(worked.TotalSeconds);
        public void Retry() => m.QueueRetries.WithLabels(controller, controller).Inc();
    }
}
