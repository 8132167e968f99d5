namespace GmsaOperator.Bench;

/// <summary>The rows of one admission run: throughput, latency percentiles, errors, denials, SARs per 1,000 and RSS, each with its target.</summary>
internal static class RunFigures
{
    public sealed record Targets(double? MinThroughput = null, double? MaxP99Ms = null, bool Mix = false);

    public static IEnumerable<Figure> Of(string label, AdmissionRun run, Targets targets, string? note = null)
    {
        var open = !double.IsNaN(run.OfferedPerSecond);
        yield return targets.MinThroughput is { } min
            ? Figure.AtLeast($"{label} throughput", run.RequestsPerSecond, "req/s", min, note)
            : Figure.Info($"{label} throughput", run.RequestsPerSecond, "req/s", open ? $"offered {run.OfferedPerSecond:N0} req/s; {note}" : note);
        yield return Figure.Info($"{label} p50", run.P50Ms, "ms", open ? "from the scheduled send time" : null);
        yield return targets.MaxP99Ms is { } p99 ? Figure.AtMost($"{label} p99", run.P99Ms, "ms", p99) : Figure.Info($"{label} p99", run.P99Ms, "ms");
        yield return Figure.Info($"{label} p99.9", run.P999Ms, "ms");
        yield return Figure.AtMost($"{label} errors", run.Errors, "", 0, $"of {run.Answered + run.UnauthorisedAllowed:N0} requests{(run.FirstError is null ? "" : $"; first: {Trim(run.FirstError)}")}");
        if (targets.Mix)
        {
            yield return Figure.Info($"{label} denied (403)", run.Denied, "", $"{(run.Answered == 0 ? 0 : 100.0 * run.Denied / run.Answered):0.0} % of answers; unauthorised requests, expected");
            yield return Figure.AtMost($"{label} unauthorised allowed", run.UnauthorisedAllowed, "", 0, "every unauthorised request must be denied");
        }
        if (run.SarsPer1000 is { } sars) yield return Figure.Info($"{label} SARs per 1,000 admissions", sars, "", "the operator's rest_client_requests_by_resource_total");
        if (run.MaxRssBytes is { } rss) yield return Figure.Info($"{label} operator RSS (max)", rss / 1e6, "MB");
    }

    private static string Trim(string s) => s.Length <= 160 ? s : s[..160] + "…";
}
