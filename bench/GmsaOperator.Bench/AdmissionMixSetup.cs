using System.Diagnostics;
using GmsaOperator.Entities.Bindings;
using k8s;

namespace GmsaOperator.Bench;

/// <summary>Creates the admission mix's namespaces, service accounts, credspecs and GmsaBindings (idempotent) and waits until all are Ready.</summary>
internal static class AdmissionMixSetup
{
    public static async Task PrepareAsync(IKubernetes client, AdmissionMix mix, TextWriter log, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, AdmissionMix.Namespaces), parallel, async (n, ct) =>
        {
            var ns = AdmissionMix.NamespaceName(n);
            await BenchCluster.CreateNamespaceAsync(client, ns, ct);
            for (var s = 0; s < AdmissionMix.ServiceAccounts; s++) await BenchCluster.CreateServiceAccountAsync(client, ns, AdmissionMix.ServiceAccountName(s), ct);
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, AdmissionMix.CredSpecs), parallel, async (i, ct) =>
            await BenchCluster.CreateCredSpecAsync(client, AdmissionMix.CredSpecName(i), AdmissionMix.RunLabel, ct));
        var bindings = mix.Bindings().ToList();
        await using var watcher = await ReadyWatcher.StartAsync(client, AdmissionMix.RunLabel, bindings.Count, cancellationToken);
        await Parallel.ForEachAsync(bindings, parallel, async (b, ct) =>
            await BenchCluster.IgnoreConflict(() => BenchCluster.CreateBindingAsync(client, b.Namespace, b.CredSpec, b.CredSpec, b.ServiceAccounts, AdmissionMix.RunLabel, GmsaBinding.ApiGroup, ct)));
        await watcher.AllReady.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
        var denied = mix.Ranked.Count(t => !t.Allowed);
        await log.WriteLineAsync($"==> [bench] admission mix ready in {sw.Elapsed.TotalSeconds:0.0}s: {AdmissionMix.Namespaces * AdmissionMix.ServiceAccounts:N0} service accounts, " +
            $"{AdmissionMix.CredSpecs} credspecs, {bindings.Count:N0} GmsaBindings, {mix.Ranked.Count:N0} triples ({denied:N0} not granted)");
    }
}
