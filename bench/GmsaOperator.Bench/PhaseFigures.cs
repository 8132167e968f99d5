using System.Globalization;

namespace GmsaOperator.Bench;

/// <summary>
/// Informational rows (no target) that say what bounded a phase: CPU per process and machine saturation, kube-apiserver
/// CPU per binding (convergence) or per SubjectAccessReview (admission), operator CPU per admission, GC pauses and the
/// thread-pool queue.
/// </summary>
internal static class PhaseFigures
{
    public static Figure Cpu(string phase, CpuUsage usage) =>
        Figure.Info($"CPU, {phase}", 100 * usage.MachineBusyShare, "% busy", usage.Describe()) with { Parts = usage.Parts() };

    /// <summary>The three CPU rows of one size, kube-apiserver CPU per binding in each, and its ratios next to the time ratios.</summary>
    public static IEnumerable<Figure> Convergence(ConvergenceBench.Result r)
    {
        yield return Cpu($"RoleBinding floor, N={r.N}", r.FloorCpu);
        yield return Cpu($"design floor, N={r.N}", r.DesignCpu);
        yield return Cpu($"converge, N={r.N}", r.ConvergeCpu);
        if (PerBindingMs(r.ConvergeCpu, CpuUsage.ApiServer, r.N) is not { } converge) yield break;
        var design = PerBindingMs(r.DesignCpu, CpuUsage.ApiServer, r.N) ?? double.NaN;
        var floor = PerBindingMs(r.FloorCpu, CpuUsage.ApiServer, r.N) ?? double.NaN;
        yield return Figure.Info($"kube-apiserver CPU per binding, converge, N={r.N}", converge, "ms",
            Invariant($"design floor {design:0.00} ms, RoleBinding floor {floor:0.00} ms; operator {PerBindingMs(r.ConvergeCpu, CpuUsage.Operator, r.N):0.00} ms per binding while converging"))
            with { Parts = new Dictionary<string, double> { ["converge ms"] = converge, ["design floor ms"] = design, ["RoleBinding floor ms"] = floor } };
        yield return Figure.Info($"kube-apiserver requests served per binding, RoleBinding floor, N={r.N}", r.FloorServed.Total, "", r.FloorServed.Describe());
        yield return Figure.Info($"kube-apiserver requests served per binding, design floor, N={r.N}", r.DesignServed.Total, "", r.DesignServed.Describe());
        yield return Figure.Info($"kube-apiserver requests served per binding, converge, N={r.N}", r.ConvergeServed.Total, "",
            r.ConvergeServed.Describe() + "; from every client (bench, operator, kube-controller-manager), until the operator's queues drained");
        yield return Figure.Info($"kube-apiserver CPU per binding, converge/design floor, N={r.N}", converge / design, "x", Invariant($"time ratio {r.DesignRatio:0.00}x"));
        yield return Figure.Info($"kube-apiserver CPU per binding, converge/RoleBinding floor, N={r.N}", converge / floor, "x", Invariant($"time ratio {r.Ratio:0.00}x"));
    }

    /// <summary>The rows of one measured admission run (<paramref name="answered"/>: requests answered in it).</summary>
    public static IEnumerable<Figure> Admission(string label, RunProbe.Result probe, long answered)
    {
        yield return Cpu(label, probe.Cpu);
        var runtime = probe.Runtime;
        if (runtime is { SarsSent: > 0 } && probe.Cpu.SecondsOf(CpuUsage.ApiServer) is { } api)
        {
            yield return Figure.Info($"{label} kube-apiserver CPU per SAR", api * 1000 / runtime.SarsSent, "ms",
                Invariant($"{api:0.00} s over {runtime.SarsSent:N0} SubjectAccessReviews; an upper bound (it also renews leases and serves watches meanwhile)"));
        }
        if (answered > 0 && runtime is { Posts: > 0 })
        {
            // Each review is sent for a request that then waits for all of it (others may join it part-way), so the
            // requests over 10 ms are at least the reviews over 10 ms: past 1 % of admissions, p99 <= 10 ms is out of
            // reach at the API server's review latency, whatever the operator does around it.
            yield return Figure.Info($"{label} SARs over 10 ms", 100 * runtime.PostsOver10Ms / answered, "% of admissions",
                Invariant($"{runtime.PostsOver10Ms:N0} of the {runtime.Posts:N0} SubjectAccessReviews sent ({100 * runtime.PostsOver10Ms / runtime.Posts:0.0} %) took over 10 ms (the operator's rest_client_request_duration_seconds, POST); each is waited for in full by the request it was sent for"));
        }
        if (answered > 0 && probe.Cpu.SecondsOf(CpuUsage.Operator) is { } op)
        {
            yield return Figure.Info($"{label} operator CPU per admission", op * 1e6 / answered, "µs", Invariant($"{op:0.00} s over {answered:N0} answers"));
        }
        if (answered > 0 && runtime is { AllocatedBytes: > 0 })
        {
            yield return Figure.Info($"{label} operator allocation per admission", runtime.AllocatedBytes / answered, "B",
                Invariant($"{runtime.AllocatedBytes / 1e6:0} MB allocated over {answered:N0} answers (what sets how often gen0 is collected)"));
        }
        if (runtime is not null)
        {
            var share = probe.Cpu.WallSeconds > 0 ? 100 * runtime.GcPauseSeconds / probe.Cpu.WallSeconds : double.NaN;
            yield return Figure.Info($"{label} operator GC pauses", runtime.GcPauseSeconds * 1000, "ms",
                Invariant($"{share:0.00} % of wall time; collections gen0 {runtime.Collections[0]:0}, gen1 {runtime.Collections[1]:0}, gen2 {runtime.Collections[2]:0}"));
        }
        if (probe.ThreadPool is { } pool)
        {
            yield return Figure.Info($"{label} operator thread-pool queue (max)", pool.MaxQueueLength, "",
                Invariant($"mean {pool.MeanQueueLength:0.0} over {pool.Samples} samples every {ThreadPoolSampler.Interval.TotalMilliseconds:0} ms ({pool.Missed} scrapes timed out); up to {pool.MaxThreads:0} threads"));
        }
    }

    private static double? PerBindingMs(CpuUsage usage, string process, int n) => usage.SecondsOf(process) * 1000 / n;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
