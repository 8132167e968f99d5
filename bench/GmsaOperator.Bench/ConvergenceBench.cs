using System.Diagnostics;
using System.Globalization;
using GmsaOperator.Operator.Reconcilers;
using k8s;

namespace GmsaOperator.Bench;

/// <summary>
/// Reconcile convergence: N GmsaBindings over 10 namespaces (one credspec per namespace, created beforehand) created
/// with <see cref="Concurrency"/> parallel requests, timed until all are Ready=True; the floor is creating the same
/// N RoleBindings directly with the same client and concurrency; the design floor (<see cref="DesignFloor"/>) is the
/// same N GmsaBindings without webhook or operator plus those N RoleBindings. The operator's API requests during the
/// convergence (from its <c>/metrics</c>, after its queues drained) are reported per binding, by verb and resource, and
/// the CPU each process used during each of the three timed phases (<paramref name="cpu"/>) next to the times, and what
/// kube-apiserver served in each (<see cref="ApiServerRequests"/>; for convergence, until the operator's queues drained).
/// </summary>
internal sealed class ConvergenceBench(IKubernetes client, TextWriter log, OperatorProcess op, CpuMeter cpu)
{
    public const int Namespaces = 10;
    public const int Concurrency = 16;

    private readonly List<string> _createdNamespaces = [];

    public sealed record Result(int N, TimeSpan Floor, TimeSpan DesignFloor, TimeSpan Converged, IReadOnlyDictionary<string, double> RequestsPerBinding,
        CpuUsage FloorCpu, CpuUsage DesignCpu, CpuUsage ConvergeCpu, int WatchResumes, int WatchRelists,
        ApiServerRequests.Delta FloorServed, ApiServerRequests.Delta DesignServed, ApiServerRequests.Delta ConvergeServed)
    {
        public double Ratio => Converged.TotalSeconds / Floor.TotalSeconds;
        public double DesignRatio => Converged.TotalSeconds / DesignFloor.TotalSeconds;
        public double TotalRequestsPerBinding => RequestsPerBinding.Values.Sum();
        public string Breakdown => string.Join(", ", RequestsPerBinding.Where(r => r.Value >= 0.005).OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:0.00}"));
    }

    public async Task<Result> RunAsync(int n, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var run = $"n{n}";
        var namespaces = Enumerable.Range(0, Namespaces).Select(i => $"bench-{run}-{i}").ToArray();
        var floorNamespaces = namespaces.Select(ns => ns + "-floor").ToArray();
        var designNamespaces = namespaces.Select(ns => ns + "-design").ToArray();
        foreach (var ns in namespaces.Concat(floorNamespaces).Concat(designNamespaces))
        {
            await BenchCluster.CreateNamespaceAsync(client, ns, cancellationToken);
            _createdNamespaces.Add(ns);
        }
        foreach (var ns in namespaces) await BenchCluster.CreateCredSpecAsync(client, ns, "bench", cancellationToken);
        // Let the operator create the credspecs' ClusterRoles first, so both sides start from an idle cluster.
        foreach (var ns in namespaces) await WaitForClusterRoleAsync(GeneratedNames.ClusterRoleFor(ns), cancellationToken);

        var items = Enumerable.Range(0, n).Select(i => (Index: i, Ns: i % Namespaces)).ToArray();
        var served = await ApiServerRequests.ReadAsync(client, cancellationToken);
        var cpuStart = cpu.Read();
        var floor = Stopwatch.StartNew();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (item, ct) =>
            await BenchCluster.CreateRoleBindingAsync(client, floorNamespaces[item.Ns], Name(item.Index), GeneratedNames.ClusterRoleFor(namespaces[item.Ns]), run, ct));
        floor.Stop();
        var floorCpu = cpu.Since(cpuStart);
        var servedAfter = await ApiServerRequests.ReadAsync(client, cancellationToken);
        var floorServed = servedAfter.PerObjectSince(served, n);
        await log.WriteLineAsync($"==> [bench] floor: {n} RoleBindings created in {floor.Elapsed.TotalSeconds:0.00}s");

        // Design floor: each binding and its RoleBinding, created one after the other, 16 pairs at a time.
        served = await ApiServerRequests.ReadAsync(client, cancellationToken);
        cpuStart = cpu.Read();
        var design = Stopwatch.StartNew();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            await BenchCluster.CreateBindingAsync(client, designNamespaces[item.Ns], Name(item.Index), namespaces[item.Ns], ["default"], run, DesignFloor.Group, ct);
            await BenchCluster.CreateRoleBindingAsync(client, designNamespaces[item.Ns], Name(item.Index), GeneratedNames.ClusterRoleFor(namespaces[item.Ns]), run, ct);
        });
        design.Stop();
        var designCpu = cpu.Since(cpuStart);
        servedAfter = await ApiServerRequests.ReadAsync(client, cancellationToken);
        var designServed = servedAfter.PerObjectSince(served, n);
        await log.WriteLineAsync($"==> [bench] design floor: {n} GmsaBindings (no webhook, no operator) + {n} RoleBindings created in {design.Elapsed.TotalSeconds:0.00}s");
        await op.WaitIdleAsync(TimeSpan.FromSeconds(120), cancellationToken);
        var requestsBefore = await op.ApiRequestsAsync(cancellationToken);
        served = await ApiServerRequests.ReadAsync(client, cancellationToken);

        await using var watcher = await ReadyWatcher.StartAsync(client, run, n, cancellationToken);
        cpuStart = cpu.Read();
        var converge = Stopwatch.StartNew();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (item, ct) =>
            await BenchCluster.CreateBindingAsync(client, namespaces[item.Ns], Name(item.Index), namespaces[item.Ns], run, ct));
        var created = converge.Elapsed;
        try
        {
            await watcher.AllReady.WaitAsync(timeout - created, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"only {watcher.Ready}/{n} GmsaBindings Ready after {timeout.TotalSeconds:0}s");
        }
        converge.Stop();
        var convergeCpu = cpu.Since(cpuStart);
        await log.WriteLineAsync($"==> [bench] converge: {n} GmsaBindings created in {created.TotalSeconds:0.00}s, all Ready after {converge.Elapsed.TotalSeconds:0.00}s{(watcher.Resumes + watcher.Relists > 0 ? $" (the Ready watch was resumed {watcher.Resumes}× and relisted {watcher.Relists}×)" : "")}");
        // Every request the bindings caused, including events and re-reconciles after Ready: counted once the queues drained.
        await op.WaitIdleAsync(TimeSpan.FromSeconds(300), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // the event sink writes after the reconcile that recorded
        var requestsAfter = await op.ApiRequestsAsync(cancellationToken);
        var convergeServed = (await ApiServerRequests.ReadAsync(client, cancellationToken)).PerObjectSince(served, n);
        var perBinding = requestsAfter.ToDictionary(r => r.Key, r => (r.Value - requestsBefore.GetValueOrDefault(r.Key)) / n, StringComparer.Ordinal);
        var result = new Result(n, floor.Elapsed, design.Elapsed, converge.Elapsed, perBinding, floorCpu, designCpu, convergeCpu, watcher.Resumes, watcher.Relists,
            floorServed, designServed, convergeServed);
        await log.WriteLineAsync($"==> [bench] operator API requests per binding (N={n}): {result.TotalRequestsPerBinding:0.00} ({result.Breakdown})");
        await log.WriteLineAsync($"==> [bench] kube-apiserver served per binding (N={n}): RoleBinding floor {floorServed.Total:0.00}, design floor {designServed.Total:0.00}, converge {convergeServed.Total:0.00} ({convergeServed.Describe()})");
        return result;
    }

    /// <summary>
    /// Deletes every namespace the runs created and waits until they are gone and the operator is idle, so that later
    /// parts (memory, startup) measure the population their targets name, not these runs' leftovers.
    /// </summary>
    public async Task<TimeSpan> CleanUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        foreach (var ns in _createdNamespaces)
        {
            try
            {
                await client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: cancellationToken);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
        }
        var pending = _createdNamespaces.ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            var existing = (await client.CoreV1.ListNamespaceAsync(cancellationToken: cancellationToken)).Items.Select(n => n.Metadata.Name);
            pending.IntersectWith(existing);
            if (pending.Count == 0) break;
            if (sw.Elapsed > timeout) throw new TimeoutException($"{pending.Count} convergence namespaces still terminating after {timeout.TotalSeconds:0}s");
            await Task.Delay(500, cancellationToken);
        }
        _createdNamespaces.Clear();
        await op.WaitIdleAsync(timeout, cancellationToken);
        return sw.Elapsed;
    }

    private static string Name(int i) => "app-" + i.ToString("D5", CultureInfo.InvariantCulture);

    private async Task WaitForClusterRoleAsync(string name, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.RbacAuthorizationV1.ReadClusterRoleAsync(name, cancellationToken: cancellationToken);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound && sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
