using GmsaOperator.Runtime.Metrics;

namespace GmsaOperator.Bench;

/// <summary>
/// The operator's GC pause time and collections per generation, SubjectAccessReviews sent, bytes allocated, and its POSTs
/// (during admission: its reviews) with how many of them took over 10 ms, read from one /metrics text.
/// </summary>
internal sealed record RuntimeStats(double GcPauseSeconds, IReadOnlyList<double> Collections, double SarsSent, double AllocatedBytes,
    double Posts = 0, double PostsOver10Ms = 0)
{
    /// <summary>Null for a build that does not expose the runtime's GC metrics.</summary>
    public static RuntimeStats? From(string metrics)
    {
        if (PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcPause) is not { } pause) return null;
        var collections = Enumerable.Range(0, 3)
            .Select(g => PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcCollections, ("generation", g.ToString(System.Globalization.CultureInfo.InvariantCulture))) ?? 0)
            .ToArray();
        var posts = PrometheusText.Sum(metrics, $"{RuntimeMetrics.RestLatencyName}_count", ("verb", "POST")) ?? 0;
        var within10Ms = PrometheusText.Sum(metrics, $"{RuntimeMetrics.RestLatencyName}_bucket", ("verb", "POST"), ("le", "0.01")) ?? posts;
        return new RuntimeStats(pause, collections, OperatorProcess.SarsSent(metrics) ?? 0, PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcAllocated) ?? double.NaN,
            posts, posts - within10Ms);
    }

    public RuntimeStats Minus(RuntimeStats earlier) =>
        new(GcPauseSeconds - earlier.GcPauseSeconds, Collections.Zip(earlier.Collections, (a, b) => a - b).ToArray(), SarsSent - earlier.SarsSent,
            AllocatedBytes - earlier.AllocatedBytes, Posts - earlier.Posts, PostsOver10Ms - earlier.PostsOver10Ms);
}
