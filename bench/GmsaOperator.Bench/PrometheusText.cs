using System.Globalization;

namespace GmsaOperator.Bench;

/// <summary>Reads counters out of a Prometheus text exposition (the operator's /metrics).</summary>
internal static class PrometheusText
{
    /// <summary>Every series of <paramref name="name"/> with its labels; null when the metric is not exposed at all (an older build).</summary>
    public static IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>? Series(string text, string name)
    {
        var lines = text.Split('\n');
        // A histogram's _count, _sum and _bucket series are declared under the histogram's own name.
        var family = name.EndsWith("_count", StringComparison.Ordinal) ? name[..^6] : name.EndsWith("_sum", StringComparison.Ordinal) ? name[..^4]
            : name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^7] : name;
        if (!lines.Any(l => l.StartsWith($"# TYPE {name} ", StringComparison.Ordinal) || l.StartsWith($"# TYPE {family} ", StringComparison.Ordinal))) return null;
        var series = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (var line in lines)
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' ')) continue;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var close = line.IndexOf('}', StringComparison.Ordinal);
            if (line[name.Length] == '{' && close > 0)
            {
                foreach (var pair in line[(name.Length + 1)..close].Split("\",", StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0) labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }
            }
            series.Add((labels, double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)));
        }
        return series;
    }

    /// <summary>Sum of the series of <paramref name="name"/> whose labels include all of <paramref name="match"/>; null when not exposed.</summary>
    public static double? Sum(string text, string name, params (string Label, string Value)[] match) =>
        Series(text, name)?.Where(s => match.All(m => s.Labels.TryGetValue(m.Label, out var v) && v == m.Value)).Sum(s => s.Value);
}
