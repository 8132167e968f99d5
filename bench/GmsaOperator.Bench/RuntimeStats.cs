using GmsaOperator.Runtime.Metrics;

namespace GmsaOperator.Bench;

/// <summary>The operator's GC pause time and collections per generation, read from one /metrics text.</summary>
internal sealed record RuntimeStats(double GcPauseSeconds, IReadOnlyList<double> Collections, double SarsSent, double AllocatedBytes)
{
    /// <summary>Null for a build that does not expose the runtime's GC metrics.</summary>
    public static RuntimeStats? From(string metrics)
    {
        if (PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcPause) is not { } pause) return null;
        var collections = Enumerable.Range(0, 3)
            .Select(g => PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcCollections, ("generation", g.ToString(System.Globalization.CultureInfo.InvariantCulture))) ?? 0)
            .ToArray();
        return new RuntimeStats(pause, collections, OperatorProcess.SarsSent(metrics) ?? 0, PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcAllocated) ?? double.NaN);
    }

    public RuntimeStats Minus(RuntimeStats earlier) =>
        new(GcPauseSeconds - earlier.GcPauseSeconds, Collections.Zip(earlier.Collections, (a, b) => a - b).ToArray(), SarsSent - earlier.SarsSent,
            AllocatedBytes - earlier.AllocatedBytes);
}
