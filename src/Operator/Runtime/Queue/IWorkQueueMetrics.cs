namespace GmsaOperator.Runtime.Queue;

/// <summary>Observations a work queue reports (client-go's workqueue metrics).</summary>
public interface IWorkQueueMetrics
{
    void Added();
    void Depth(int depth);
    void QueueLatency(TimeSpan waited);
    void WorkDuration(TimeSpan worked);
    void Retry();

    public static IWorkQueueMetrics None { get; } = new NoMetrics();

    private sealed class NoMetrics : IWorkQueueMetrics
    {
        public void Added() { }
        public void Depth(int depth) { }
        public void QueueLatency(TimeSpan waited) { }
        public void WorkDuration(TimeSpan worked) { }
        public void Retry() { }
    }
}
