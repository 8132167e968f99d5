using System.Diagnostics;
using System.Globalization;
using GmsaOperator.Operator.Reconcilers;
using k8s;

namespace GmsaOperator.Bench;

/// <summary>
/// Reconcile convergence: N GmsaBindings over 10 namespaces (one credspec per namespace, created beforehand) created
/// with <see cref="Concurrency"/> parallel requests, timed until all are Ready=True; the floor is creating the same
/// N RoleBindings directly with the same client and concurrency.
/// </summary>
internal sealed class ConvergenceBench(IKubernetes client, TextWriter log)
{
    public const int Namespaces = 10;
    public const int Concurrency = 16;

    public sealed record Result(int N, TimeSpan Floor, TimeSpan Converged)
    {
        public double Ratio => Converged.TotalSeconds / Floor.TotalSeconds;
    }

    public async Task<Result> RunAsync(int n, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var run = $"n{n}";
        var namespaces = Enumerable.Range(0, Namespaces).Select(i => $"bench-{run}-{i}").ToArray();
        var floorNamespaces = namespaces.Select(ns => ns + "-floor").ToArray();
        foreach (var ns in namespaces.Concat(floorNamespaces)) await BenchCluster.CreateNamespaceAsync(client, ns, cancellationToken);
        foreach (var ns in namespaces) await BenchCluster.CreateCredSpecAsync(client, ns, "bench", cancellationToken);
        // Let the operator create the credspecs' ClusterRoles first, so both sides start from an idle cluster.
        foreach (var ns in namespaces) await WaitForClusterRoleAsync(GeneratedNames.ClusterRoleFor(ns), cancellationToken);

        var items = Enumerable.Range(0, n).Select(i => (Index: i, Ns: i % Namespaces)).ToArray();
        var floor = Stopwatch.StartNew();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (item, ct) =>
            await BenchCluster.CreateRoleBindingAsync(client, floorNamespaces[item.Ns], Name(item.Index), GeneratedNames.ClusterRoleFor(namespaces[item.Ns]), run, ct));
        floor.Stop();
        await log.WriteLineAsync($"==> [bench] floor: {n} RoleBindings created in {floor.Elapsed.TotalSeconds:0.00}s");

        await using var watcher = await ReadyWatcher.StartAsync(client, run, n, cancellationToken);
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
        await log.WriteLineAsync($"==> [bench] converge: {n} GmsaBindings created in {created.TotalSeconds:0.00}s, all Ready after {converge.Elapsed.TotalSeconds:0.00}s{(watcher.Relists > 0 ? $" (the Ready watch was re-established {watcher.Relists}×)" : "")}");
        return new Result(n, floor.Elapsed, converge.Elapsed);
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
