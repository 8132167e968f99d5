using System.Globalization;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Runtime.Metrics;
using k8s;

namespace GmsaOperator.Bench;

/// <summary>
/// Bytes per cached object, from outside: the operator's VmRSS once idle (lowest sample over 2 s) before and after
/// creating <see cref="Count"/> objects of a kind. A credspec brings its generated ClusterRole and a binding its
/// RoleBinding, so those are measured in pairs. The deltas include whatever garbage the GC has not collected yet:
/// upper bounds, not exact sizes.
/// </summary>
internal sealed class MemoryBench(IKubernetes client, TextWriter log, OperatorProcess op)
{
    public const int Count = 10_000;
    private const int Namespaces = 100;
    private const string Run = "mem";

    public sealed record Result(double IdleMb, double ServiceAccountBytes, double CredSpecPairBytes, double BindingPairBytes, int ServiceAccounts, double? HeapMb, double? HeapLimitMb)
    {
        /// <summary>Managed-heap deltas per object (<c>dotnet_gc_heap_size_bytes</c> after the last collection), steadier than VmRSS.</summary>
        public double? ServiceAccountHeapBytes { get; init; }

        public double? CredSpecPairHeapBytes { get; init; }

        public double? BindingPairHeapBytes { get; init; }

        /// <summary>The largest gen0 budget the operator's collector uses (<c>dotnet_gc_gen0_max_budget_bytes</c>).</summary>
        public double? Gen0MaxBudgetMiB { get; init; }
    }

    public async Task<Result> RunAsync(int serviceAccounts, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };
        var namespaces = Enumerable.Range(0, Namespaces).Select(i => "mem-" + i.ToString("D3", CultureInfo.InvariantCulture)).ToArray();
        var baseline = await SettledRssAsync(cancellationToken);
        var heapBaseline = await HeapAsync(cancellationToken);

        // Service accounts (and the namespaces' own "default" ones).
        await Parallel.ForEachAsync(namespaces, parallel, async (ns, ct) => await BenchCluster.CreateNamespaceAsync(client, ns, ct));
        await Parallel.ForEachAsync(Enumerable.Range(0, Count - Namespaces), parallel, async (i, ct) =>
            await BenchCluster.CreateServiceAccountAsync(client, namespaces[i % Namespaces], "app-" + i.ToString("D5", CultureInfo.InvariantCulture), ct));
        var afterAccounts = await SettledRssAsync(cancellationToken);
        var heapAfterAccounts = await HeapAsync(cancellationToken);
        await Log("service accounts", Count, baseline, afterAccounts);

        // Credspecs; the operator creates a ClusterRole for each.
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), parallel, async (i, ct) => await BenchCluster.CreateCredSpecAsync(client, CredSpec(i), Run, ct));
        var afterCredSpecs = await SettledRssAsync(cancellationToken);
        var heapAfterCredSpecs = await HeapAsync(cancellationToken);
        await Log("credspecs + their ClusterRoles", Count, afterAccounts, afterCredSpecs);

        // Bindings; the operator creates a RoleBinding for each.
        await using (var watcher = await ReadyWatcher.StartAsync(client, Run, Count, cancellationToken))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Count), parallel, async (i, ct) => await BenchCluster.IgnoreConflict(() =>
                BenchCluster.CreateBindingAsync(client, namespaces[i % Namespaces], "b-" + i.ToString("D5", CultureInfo.InvariantCulture), CredSpec(i), ["default"], Run, GmsaBinding.ApiGroup, ct)));
            await watcher.AllReady.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken);
        }
        var afterBindings = await SettledRssAsync(cancellationToken);
        var heapAfterBindings = await HeapAsync(cancellationToken);
        await Log("GmsaBindings + their RoleBindings", Count, afterCredSpecs, afterBindings);

        // Up to the 50,000 service accounts for the under-load figure (--huge).
        if (serviceAccounts > Count)
        {
            await Parallel.ForEachAsync(Enumerable.Range(Count, serviceAccounts - Count), parallel, async (i, ct) =>
                await BenchCluster.CreateServiceAccountAsync(client, namespaces[i % Namespaces], "app-" + i.ToString("D5", CultureInfo.InvariantCulture), ct));
            await log.WriteLineAsync($"==> [bench] memory: {serviceAccounts:N0} service accounts in all, RSS {await SettledRssAsync(cancellationToken) / 1e6:0.0} MB");
        }
        var metrics = await op.MetricsAsync(cancellationToken);
        return new Result(baseline / 1e6, (afterAccounts - baseline) / Count, (afterCredSpecs - afterAccounts) / Count, (afterBindings - afterCredSpecs) / Count,
            Math.Max(serviceAccounts, Count), PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcHeapSize) / 1e6, PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcHeapLimit) / 1e6)
        {
            ServiceAccountHeapBytes = (heapAfterAccounts - heapBaseline) / Count,
            CredSpecPairHeapBytes = (heapAfterCredSpecs - heapAfterAccounts) / Count,
            BindingPairHeapBytes = (heapAfterBindings - heapAfterCredSpecs) / Count,
            Gen0MaxBudgetMiB = PrometheusText.Sum(metrics, DotNetRuntimeMetrics.GcGen0MaxBudget) / 1048576,
        };
    }

    private static string CredSpec(int i) => "mem-cs-" + i.ToString("D5", CultureInfo.InvariantCulture);

    private Task Log(string what, int n, double before, double after) =>
        log.WriteLineAsync($"==> [bench] memory: {n:N0} {what}: RSS {before / 1e6:0.0} → {after / 1e6:0.0} MB, {(after - before) / n:N0} bytes each");

    private async Task<double?> HeapAsync(CancellationToken cancellationToken) =>
        PrometheusText.Sum(await op.MetricsAsync(cancellationToken), DotNetRuntimeMetrics.GcHeapSize);

    // Idle queues, then the lowest VmRSS over 2 s (a GC in between only lowers it).
    private async Task<double> SettledRssAsync(CancellationToken cancellationToken)
    {
        await op.WaitIdleAsync(TimeSpan.FromMinutes(5), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        long min = long.MaxValue;
        for (var i = 0; i < 9; i++)
        {
            if (op.ReadRssBytes() is { } rss) min = Math.Min(min, rss);
            await Task.Delay(250, cancellationToken);
        }
        return min;
    }
}
