using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Bench;
using GmsaOperator.Entities;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.LocalControlPlane;
using k8s;
using k8s.Models;

// make bench: local control plane + the real operator as a child process; admission load, convergence, startup.
var options = BenchOptions.Parse(args);
var log = Console.Error;
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(options.Large ? 20 : 9));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var ct = cts.Token;
var total = Stopwatch.StartNew();
var startedAt = DateTimeOffset.UtcNow;
var machine = Machine.Describe();
var figures = new List<Figure>();
Directory.CreateDirectory(options.LogDirectory);

await using var plane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { Progress = log }, ct);
using var client = plane.CreateClient();
await CrdInstaller.InstallAsync(client, CustomResourceDefinitions.All(), log, ct);
await BenchCluster.CreateNamespaceAsync(client, OperatorDeployment.Namespace, ct);

long maxRss = 0;
void NoteRss(long? rss) { if (rss is { } r) maxRss = Math.Max(maxRss, r); }

// Operator A: default settings (SAR decision cache on).
await using (var op = OperatorProcess.Start(options.Operator, plane.KubeconfigPath, Path.Combine(options.LogDirectory, "operator-cache-on.log"), new Dictionary<string, string>()))
{
    var ready = await op.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
    await log.WriteLineAsync($"==> [bench] operator (pid {op.Pid}) ready in {ready.TotalSeconds:0.00}s on an empty cluster");
    figures.Add(Figure.Info("startup, empty cluster (start → /readyz)", ready.TotalSeconds, "s"));

    var convergence = new ConvergenceBench(client, log);
    foreach (var n in options.Sizes)
    {
        var r = await convergence.RunAsync(n, TimeSpan.FromMinutes(n >= 5000 ? 10 : 4), ct);
        NoteRss(op.ReadRssBytes());
        figures.Add(Figure.Info($"floor: {n} RoleBindings created directly", r.Floor.TotalSeconds, "s", $"{ConvergenceBench.Concurrency} concurrent creates"));
        figures.Add(Figure.Info($"converge: {n} GmsaBindings → all Ready", r.Converged.TotalSeconds, "s", $"{ConvergenceBench.Namespaces} namespaces, 1 credspec each"));
        figures.Add(Figure.AtMost($"converge/floor ratio, N={n}", r.Ratio, "x", 1.5, n == 1000 ? "the issue's target (N=1,000)" : "growth (target stated for N=1,000)"));
        await op.SaveMetricsAsync(Path.Combine(options.LogDirectory, $"metrics-after-n{n}.txt"), ct);
    }

    if (options.Parts.Contains("admission"))
    {
        // Admission is measured on its own, not against the tail of the convergence runs (queued reconciles, events).
        await op.WaitIdleAsync(TimeSpan.FromSeconds(60), ct);
        var (ns, credSpec) = await PrepareAdmissionAsync(client, log, ct);
        using var load = new AdmissionLoad(op.WebhookPort, await WebhookCaAsync(client, ct));
        var mutate = await load.RunAsync("/mutate", AdmissionBodies.Mutate(ns, credSpec), options.WarmUp, options.Duration, op.ReadRssBytes, ct);
        await Report(mutate, "mutate");
        figures.Add(Figure.AtLeast("mutate throughput", mutate.RequestsPerSecond, "req/s", 8000));
        figures.Add(Figure.Info("mutate p50", mutate.P50Ms, "ms"));
        figures.Add(Figure.AtMost("mutate p99", mutate.P99Ms, "ms", 5));
        figures.Add(Figure.Info("mutate p99.9", mutate.P999Ms, "ms"));
        figures.Add(Figure.AtMost("mutate errors", mutate.Errors, "", 0, $"of {mutate.Requests + mutate.Errors:N0} requests"));

        var cached = await load.RunAsync("/validate", AdmissionBodies.Validate(ns, credSpec, BenchCluster.CredSpecContents), options.WarmUp, options.Duration, op.ReadRssBytes, ct);
        await Report(cached, "validate (SAR cache on)");
        AddValidate(cached, "SAR cache on", 4000);
        NoteRss(mutate.MaxRssBytes);
        NoteRss(cached.MaxRssBytes);

        // Forged reviews straight at the port (no API server in front): memory must stay bounded whatever they claim.
        await ForgedFlood.GrantAsync(client, ns, ct);
        using var flood = new ForgedFlood(op.WebhookPort, await WebhookCaAsync(client, ct));
        var forged = await flood.RunAsync(ns, credSpec, options.WarmUp, TimeSpan.FromSeconds(Math.Max(15, options.Duration.TotalSeconds)), op.ReadRssBytes, ct);
        await log.WriteLineAsync($"==> [bench] forged flood: {forged.Requests:N0} reviews in {forged.Seconds:0.0} s, RSS {(forged.RssBeforeBytes ?? 0) / 1e6:0.0} → {(forged.RssAfterBytes ?? 0) / 1e6:0.0} MB, {forged.Malformed} malformed answers");
        figures.Add(Figure.AtMost("forged-review flood: RSS growth", forged.RssGrowthMb, "MB", 64,
            $"{forged.Requests:N0} forged /validate + /validate-gmsabinding in {forged.Seconds:0} s from {ForgedFlood.Clients} clients, after a warm-up; VmRSS"));
        figures.Add(Figure.AtMost("forged-review flood: malformed answers", forged.Malformed, "", 0, "not an AdmissionReview and not a 4xx"));
        NoteRss(forged.RssAfterBytes);
    }
}

if (options.Parts.Contains("startup"))
{
    // Top up to 1,000 credspecs (bindings: N=100 + N=1,000 above) for the startup measurement.
    var existing = (await client.CustomObjects.ListClusterCustomObjectAsync<System.Text.Json.JsonElement>("windows.k8s.io", "v1", "gmsacredentialspecs", cancellationToken: ct))
        .GetProperty("items").GetArrayLength();
    await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(0, 1000 - existing)), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
        async (i, c) => await BenchCluster.CreateCredSpecAsync(client, $"bench-extra-{i:D4}", "bench", c));
    var bindings = (await client.CustomObjects.ListClusterCustomObjectAsync<System.Text.Json.JsonElement>("gmsa.dev", "v1alpha1", "gmsabindings", cancellationToken: ct))
        .GetProperty("items").GetArrayLength();
    var credSpecs = Math.Max(existing, 1000);
    await log.WriteLineAsync($"==> [bench] cluster holds {credSpecs} credspecs and {bindings} GmsaBindings");

    // Operator B: SAR decision cache off; its start is the startup measurement.
    await using (var op = OperatorProcess.Start(options.Operator, plane.KubeconfigPath, Path.Combine(options.LogDirectory, "operator-cache-off.log"),
        new Dictionary<string, string> { ["Webhooks__AuthorizationCacheTtl"] = "00:00:00" }))
    {
        var ready = await op.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
        var rssAtReady = op.ReadRssBytes();
        NoteRss(rssAtReady);
        await log.WriteLineAsync($"==> [bench] operator (pid {op.Pid}) ready in {ready.TotalSeconds:0.00}s with {credSpecs} credspecs and {bindings} bindings, RSS {(rssAtReady ?? 0) / 1048576.0:0.0} MiB ({op.RssBreakdown()})");
        figures.Add(Figure.AtMost("startup (start → /readyz)", ready.TotalSeconds, "s", 3, $"{credSpecs:N0} credspecs, {bindings:N0} GmsaBindings present"));

        var (ns, credSpec) = await PrepareAdmissionAsync(client, log, ct);
        using var load = new AdmissionLoad(op.WebhookPort, await WebhookCaAsync(client, ct));
        var uncached = await load.RunAsync("/validate", AdmissionBodies.Validate(ns, credSpec, BenchCluster.CredSpecContents), options.WarmUp, options.Duration, op.ReadRssBytes, ct);
        await Report(uncached, "validate (SAR cache off)");
        AddValidate(uncached, "SAR cache off", 1500);
        NoteRss(uncached.MaxRssBytes);
    }
}
// The issue states 100 MB (decimal): 100 MB = 95.4 MiB.
figures.Add(Figure.AtMost("operator RSS (max during the runs)", maxRss / 1e6, "MB", 100, "VmRSS from /proc/<pid>/status, sampled every 250 ms"));

var report = new BenchReport(options.CommandLine, machine, startedAt, total.Elapsed.TotalSeconds, figures);
Console.WriteLine();
Console.WriteLine($"GmsaOperator benchmark — {machine}");
Console.WriteLine($"{options.CommandLine}; admission: {AdmissionLoad.Connections} connections, {options.WarmUp.TotalSeconds:0}s warm-up, {options.Duration.TotalSeconds:0}s measured; total {total.Elapsed.TotalSeconds:0}s");
Console.WriteLine(report.ToTable());
await report.WriteJsonAsync(options.Output, ct);
Console.WriteLine($"Written to {options.Output}");
// Missed targets fail the run only with --strict: numbers on a shared machine are reported, not gated.
return options.Strict && figures.Any(f => f.Met == false) ? 3 : 0;

void AddValidate(AdmissionRun run, string label, double target)
{
    figures.Add(Figure.AtLeast($"validate throughput ({label})", run.RequestsPerSecond, "req/s", target));
    figures.Add(Figure.Info($"validate p50 ({label})", run.P50Ms, "ms"));
    figures.Add(Figure.Info($"validate p99 ({label})", run.P99Ms, "ms"));
    figures.Add(Figure.Info($"validate p99.9 ({label})", run.P999Ms, "ms"));
    figures.Add(Figure.AtMost($"validate errors ({label})", run.Errors, "", 0, $"of {run.Requests + run.Errors:N0} requests"));
}

Task Report(AdmissionRun run, string what) => log.WriteLineAsync(
    $"==> [bench] {what}: {run.RequestsPerSecond:N0} req/s, p50 {run.P50Ms:0.00} ms, p99 {run.P99Ms:0.00} ms, p99.9 {run.P999Ms:0.00} ms, " +
    $"{run.Errors} errors{(run.FirstError is null ? "" : $" (first: {run.FirstError})")}, max RSS {(run.MaxRssBytes ?? 0) / 1048576.0:0.0} MiB");

// A namespace whose default service account may use one credspec through a GmsaBinding (so validate's SAR allows).
static async Task<(string Namespace, string CredSpec)> PrepareAdmissionAsync(IKubernetes client, TextWriter log, CancellationToken ct)
{
    const string ns = "bench-admission";
    await BenchCluster.CreateNamespaceAsync(client, ns, ct);
    await BenchCluster.CreateCredSpecAsync(client, ns, "bench", ct);
    try
    {
        await BenchCluster.CreateBindingAsync(client, ns, "web", ns, "admission", ct);
    }
    catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
    {
    }
    var sw = Stopwatch.StartNew();
    while (await BenchCluster.CountReadyAsync(client, "admission", ct) < 1)
    {
        if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the admission benchmark's GmsaBinding did not become Ready");
        await Task.Delay(100, ct);
    }
    await log.WriteLineAsync($"==> [bench] admission namespace {ns} ready");
    return (ns, ns);
}

// The CA the operator registered in its (local) webhook configuration.
static async Task<X509Certificate2> WebhookCaAsync(IKubernetes client, CancellationToken ct)
{
    var sw = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            var config = await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(OperatorDeployment.LocalWebhookConfigurationName, cancellationToken: ct);
            if (config.Webhooks?.FirstOrDefault()?.ClientConfig?.CaBundle is { Length: > 0 } pem)
            {
                return X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(pem));
            }
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
        if (sw.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"no caBundle in the operator's MutatingWebhookConfiguration {OperatorDeployment.LocalWebhookConfigurationName}");
        await Task.Delay(100, ct);
    }
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(string Operator, string Output, string LogDirectory, bool Large, bool Strict, TimeSpan WarmUp, TimeSpan Duration, string CommandLine)
{
    /// <summary>Convergence sizes; <c>--sizes 1000,5000</c> overrides (for working on one figure).</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [100, 1000];

    /// <summary>Which parts run: admission, startup (convergence runs whenever <see cref="Sizes"/> is not empty); <c>--only admission,startup</c>.</summary>
    public IReadOnlySet<string> Parts { get; init; } = new HashSet<string> { "admission", "startup" };

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var op = Value("--operator") ?? "src/Operator/bin/Release/net10.0/gmsa-operator";
        if (!File.Exists(op)) throw new FileNotFoundException($"operator executable '{op}' not found (build it first, or pass --operator)");
        var seconds = (string name, double fallback) => TimeSpan.FromSeconds(double.Parse(Value(name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        return new BenchOptions(Path.GetFullPath(op), Value("--output") ?? "artifacts/bench.json", Value("--logs") ?? "artifacts/bench-logs",
            args.Contains("--large"), args.Contains("--strict"), seconds("--warmup", 3), seconds("--duration", 10),
            Environment.GetEnvironmentVariable("BENCH_COMMAND") ?? "gmsa-bench " + string.Join(' ', args))
        {
            Sizes = Value("--sizes") is { } sizes ? [.. sizes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).Where(x => x > 0)]
                : args.Contains("--large") ? [100, 1000, 5000] : [100, 1000],
            Parts = Value("--only") is { } only ? only.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) : new HashSet<string> { "admission", "startup" },
        };
    }
}

/// <summary>A one-line description of this machine (cores, memory, load average when the run started).</summary>
internal static class Machine
{
    public static string Describe()
    {
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        return $"{Environment.ProcessorCount} cores ({cpu}), {long.Parse(memKb, CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB RAM, " +
               $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {load} at start";
    }
}
