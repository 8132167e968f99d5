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

// make bench: local control plane + the real operator as a child process; admission load, convergence, memory, startup.
var options = BenchOptions.Parse(args);
var log = Console.Error;
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(options.Huge ? 60 : options.Large ? 20 : 12));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var ct = cts.Token;
var total = Stopwatch.StartNew();
var startedAt = DateTimeOffset.UtcNow;
var operatorEnvironment = options.OperatorEnvironmentFor();
var machine = Machine.Describe() + $"; operator environment: {(operatorEnvironment.Count == 0 ? "none" : string.Join(" ", operatorEnvironment.Select(kv => $"{kv.Key}={kv.Value}")))}";
var figures = new List<Figure>();
Directory.CreateDirectory(options.LogDirectory);

await using var plane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { Progress = log }, ct);
using var client = plane.CreateClient();
await CrdInstaller.InstallAsync(client, CustomResourceDefinitions.All(), log, ct);
await DesignFloor.InstallCrdAsync(client, log, ct);
await BenchCluster.CreateNamespaceAsync(client, OperatorDeployment.Namespace, ct);

long maxRss = 0;
void NoteRss(long? rss) { if (rss is { } r) maxRss = Math.Max(maxRss, r); }
var mix = AdmissionMix.Create();
var mixPrepared = false;
async Task PrepareMixAsync()
{
    if (mixPrepared) return;
    await AdmissionMixSetup.PrepareAsync(client, mix, log, ct);
    mixPrepared = true;
}
var contents = BenchCluster.CredSpecContents;

// Operator A: default settings (SAR decision cache on).
await using (var op = OperatorProcess.Start(options.Operator, plane.KubeconfigPath, Path.Combine(options.LogDirectory, "operator-cache-on.log"), operatorEnvironment))
{
    var ready = await op.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
    await log.WriteLineAsync($"==> [bench] operator (pid {op.Pid}) ready in {ready.TotalSeconds:0.00}s on an empty cluster");
    figures.Add(Figure.Info("startup, empty cluster (start → /readyz)", ready.TotalSeconds, "s"));
    await op.WaitIdleAsync(TimeSpan.FromSeconds(60), ct);
    await Task.Delay(TimeSpan.FromSeconds(2), ct);
    figures.Add(Figure.Info("RSS just after startup, empty cluster", (op.ReadRssBytes() ?? 0) / 1e6, "MB", $"VmRSS 2 s after the queues drained ({op.RssBreakdown()})"));
    // Idle is the steady state a user sees: the operator hands back the executable pages only startup touched once
    // its caches synced and again 10 s later (OperatorRuntimeOptions.StartupSettleTime).
    var idleSettle = TimeSpan.FromSeconds(15);
    var settleLeft = idleSettle - (op.SinceStart.Elapsed - ready);
    if (settleLeft > TimeSpan.Zero) await Task.Delay(settleLeft, ct);
    await op.WaitIdleAsync(TimeSpan.FromSeconds(60), ct);
    var idle = op.ReadRssBytes() ?? 0;
    figures.Add(Figure.AtMost("idle RSS, empty cluster", idle / 1e6, "MB", 50, $"VmRSS {idleSettle.TotalSeconds:0} s after /readyz, queues drained ({op.RssBreakdown()})"));

    var convergence = new ConvergenceBench(client, log, op, MeterFor(op));
    var results = new List<ConvergenceBench.Result>();
    foreach (var n in options.Sizes)
    {
        var r = await convergence.RunAsync(n, TimeSpan.FromMinutes(n >= 5000 ? 20 : 4), ct);
        results.Add(r);
        NoteRss(op.ReadRssBytes());
        figures.Add(Figure.Info($"floor: {n} RoleBindings created directly", r.Floor.TotalSeconds, "s", $"{ConvergenceBench.Concurrency} concurrent creates"));
        figures.Add(Figure.Info($"design floor: {n} GmsaBindings (no webhook) + {n} RoleBindings", r.DesignFloor.TotalSeconds, "s", $"{ConvergenceBench.Concurrency} concurrent pairs"));
        figures.Add(Figure.Info($"converge: {n} GmsaBindings → all Ready", r.Converged.TotalSeconds, "s", $"{ConvergenceBench.Namespaces} namespaces, 1 credspec each; the bench's Ready watch resumed {r.WatchResumes}×, relisted {r.WatchRelists}×"));
        figures.Add(Figure.AtMost($"converge/design floor, N={n}", r.DesignRatio, "x", 1.5));
        figures.Add(Figure.AtMost($"converge/RoleBinding floor, N={n}", r.Ratio, "x", 2.5));
        figures.Add(Figure.Info($"operator API requests per binding, N={n}", r.TotalRequestsPerBinding, "", r.Breakdown));
        figures.AddRange(PhaseFigures.Convergence(r));
        await op.SaveMetricsAsync(Path.Combine(options.LogDirectory, $"metrics-after-n{n}.txt"), ct);
    }
    if (results.FirstOrDefault(r => r.N == 1000) is { } small && results.FirstOrDefault(r => r.N == 10_000) is { } huge)
    {
        figures.Add(Figure.AtMost("converge/design floor growth, N=10,000 vs 1,000", huge.DesignRatio / small.DesignRatio, "x", 1.10, "cost grows linearly"));
        figures.Add(Figure.AtMost("converge/RoleBinding floor growth, N=10,000 vs 1,000", huge.Ratio / small.Ratio, "x", 1.10, "cost grows linearly"));
    }
    if (results.Count > 0)
    {
        var cleanUp = await convergence.CleanUpAsync(TimeSpan.FromMinutes(10), ct);
        await log.WriteLineAsync($"==> [bench] convergence namespaces deleted in {cleanUp.TotalSeconds:0.0}s: later parts see only their own objects");
    }

    if (options.Parts.Contains("admission"))
    {
        // Admission is measured on its own, not against the tail of the convergence runs (queued reconciles, events).
        await op.WaitIdleAsync(TimeSpan.FromSeconds(120), ct);
        var (ns, credSpec) = await PrepareAdmissionAsync(client, log, ct);
        var ca = await WebhookCaAsync(client, ct);
        using var load = new AdmissionLoad(op.WebhookPort, ca);
        var mutate = await MeasureAsync(load, op, "/mutate", new SingleBody(AdmissionBodies.Mutate(ns, credSpec)), "mutate (one body)", new(8000, 5));
        var cached = await MeasureAsync(load, op, "/validate", new SingleBody(AdmissionBodies.Validate(ns, credSpec, contents)), "validate (one body, SAR cache on)", new(4000));
        NoteRss(mutate.MaxRssBytes);
        NoteRss(cached.MaxRssBytes);

        // The realistic mix.
        await PrepareMixAsync();
        await op.WaitIdleAsync(TimeSpan.FromSeconds(120), ct);
        var mixMutate = await MeasureAsync(load, op, "/mutate", mix.Requests(validate: false, contents), "mutate (mix)", new(10_000, 5, Mix: true), mix.Requests(false, contents).Description);
        var mixCached = await MeasureAsync(load, op, "/validate", mix.Requests(validate: true, contents), "validate (mix, SAR cache on)", new(6_000, Mix: true));
        await OpenLoopAsync(op, ca, "SAR cache on");
        NoteRss(mixMutate.MaxRssBytes);
        NoteRss(mixCached.MaxRssBytes);

        // Forged reviews straight at the port (no API server in front): memory must stay bounded whatever they claim.
        await ForgedFlood.GrantAsync(client, ns, ct);
        using var flood = new ForgedFlood(op.WebhookPort, ca);
        var forged = await flood.RunAsync(ns, credSpec, options.WarmUp, TimeSpan.FromSeconds(Math.Max(15, options.Duration.TotalSeconds)), op.ReadRssBytes, ct);
        await log.WriteLineAsync($"==> [bench] forged flood: {forged.Requests:N0} reviews in {forged.Seconds:0.0} s, RSS {(forged.RssBeforeBytes ?? 0) / 1e6:0.0} → {(forged.RssAfterBytes ?? 0) / 1e6:0.0} MB, {forged.Malformed} malformed answers");
        figures.Add(Figure.AtMost("forged-review flood: RSS growth", forged.RssGrowthMb, "MB", 64,
            $"{forged.Requests:N0} forged /validate + /validate-gmsabinding in {forged.Seconds:0} s from {ForgedFlood.Clients} clients, after a warm-up; VmRSS"));
        figures.Add(Figure.AtMost("forged-review flood: malformed answers", forged.Malformed, "", 0, "not an AdmissionReview and not a 4xx"));
        NoteRss(forged.RssAfterBytes);
    }

    if (options.Parts.Contains("memory"))
    {
        var memory = await new MemoryBench(client, log, op).RunAsync(options.Huge ? 50_000 : MemoryBench.Count, ct);
        figures.Add(Figure.Info("bytes per cached ServiceAccount", memory.ServiceAccountBytes, "B", $"VmRSS delta over {MemoryBench.Count:N0}, metadata only"));
        figures.Add(Figure.Info("bytes per cached credspec + its ClusterRole", memory.CredSpecPairBytes, "B", $"VmRSS delta over {MemoryBench.Count:N0} pairs"));
        figures.Add(Figure.Info("bytes per cached GmsaBinding + its RoleBinding", memory.BindingPairBytes, "B", $"VmRSS delta over {MemoryBench.Count:N0} pairs"));
        figures.Add(Figure.Info("heap bytes per cached ServiceAccount", memory.ServiceAccountHeapBytes ?? double.NaN, "B", $"managed-heap delta over {MemoryBench.Count:N0} ({GmsaOperator.Runtime.Metrics.DotNetRuntimeMetrics.GcHeapSize})"));
        figures.Add(Figure.Info("heap bytes per cached credspec + its ClusterRole", memory.CredSpecPairHeapBytes ?? double.NaN, "B", $"managed-heap delta over {MemoryBench.Count:N0} pairs"));
        figures.Add(Figure.Info("heap bytes per cached GmsaBinding + its RoleBinding", memory.BindingPairHeapBytes ?? double.NaN, "B", $"managed-heap delta over {MemoryBench.Count:N0} pairs"));
        figures.Add(Figure.Info("managed heap, everything cached", memory.HeapMb ?? double.NaN, "MB",
            $"{GmsaOperator.Runtime.Metrics.DotNetRuntimeMetrics.GcHeapSize} after the last collection, idle; heap limit {memory.HeapLimitMb:0} MB, gen0 budget at most {memory.Gen0MaxBudgetMiB:0.#} MiB (VmRSS adds the executable's pages, native memory and the gen0 budget)"));
        // Under the realistic load with everything cached.
        await PrepareMixAsync();
        using var load = new AdmissionLoad(op.WebhookPort, await WebhookCaAsync(client, ct));
        var loaded = await MeasureAsync(load, op, "/validate", mix.Requests(validate: true, contents), "validate (mix, everything cached)", targets: null);
        figures.Add(Figure.AtMost("RSS under the mix, 10,000 bindings + credspecs cached", (loaded.MaxRssBytes ?? 0) / 1e6, "MB", 150,
            $"{memory.ServiceAccounts:N0} service accounts cached{(options.Huge ? "" : " (the issue's 50,000 with --huge)")}; {loaded.RequestsPerSecond:N0} req/s"));
        NoteRss(loaded.MaxRssBytes);
    }

    if (options.Parts.Contains("admission"))
    {
        // Callers declaring the largest accepted body at once: bodies wait for the shared body budget instead of being
        // buffered. Last on this operator, so what the flood leaves committed is in no other row, and not in the most-RSS
        // row either (a flood is not the admission load that row's target is for; this row has its own).
        var declared = await DeclaredBodyFlood.RunAsync(op.WebhookPort, op.ReadRssBytes, ct);
        await log.WriteLineAsync($"==> [bench] declared-body flood: {declared.Connections} connections × {DeclaredBodyFlood.DeclaredBytes / 1024 / 1024} MiB declared, " +
                                 $"RSS {(declared.RssBeforeBytes ?? 0) / 1e6:0.0} → max {(declared.RssMaxBytes ?? 0) / 1e6:0.0} → {(declared.RssAfterBytes ?? 0) / 1e6:0.0} MB, " +
                                 $"{declared.Refused503} answered 503, {declared.Answered4xx} other 4xx, {declared.NoAnswer} unanswered within the hold");
        figures.Add(Figure.AtMost("declared-body flood: RSS growth", declared.RssGrowthMb, "MB", 64,
            $"{declared.Connections} connections at once each declaring {DeclaredBodyFlood.DeclaredBytes / 1024 / 1024} MiB and sending all but its last byte ({declared.Connections * 3} MiB declared); " +
            $"max VmRSS during it − before (not in the most-RSS row); {declared.Refused503} answered 503 (body budget full), {declared.NoAnswer} held until the client gave up"));
    }
}

if (options.Parts.Contains("startup"))
{
    // Top up to 1,000 credspecs for the startup measurement (bindings: the convergence and memory runs above).
    var existing = (await client.CustomObjects.ListClusterCustomObjectAsync<System.Text.Json.JsonElement>("windows.k8s.io", "v1", "gmsacredentialspecs", cancellationToken: ct))
        .GetProperty("items").GetArrayLength();
    await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(0, 1000 - existing)), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
        async (i, c) => await BenchCluster.CreateCredSpecAsync(client, $"bench-extra-{i:D4}", "bench", c));
    var bindings = (await client.CustomObjects.ListClusterCustomObjectAsync<System.Text.Json.JsonElement>("gmsa.dev", "v1alpha1", "gmsabindings", cancellationToken: ct))
        .GetProperty("items").GetArrayLength();
    var credSpecs = Math.Max(existing, 1000);
    await log.WriteLineAsync($"==> [bench] cluster holds {credSpecs} credspecs and {bindings} GmsaBindings");
    // What readiness would wait for if it waited for the binding cache: the one list of every binding (from the watch
    // cache, as an informer's first list), read and parsed by this process.
    var listClock = System.Diagnostics.Stopwatch.StartNew();
    using (var listed = await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<System.Text.Json.JsonElement>("gmsa.dev", "v1alpha1", "gmsabindings",
        resourceVersion: "0", cancellationToken: ct))
    {
        figures.Add(Figure.Info("list of every GmsaBinding (watch cache), as an informer's first list", listClock.Elapsed.TotalSeconds, "s",
            $"{listed.Body.GetProperty("items").GetArrayLength():N0} bindings, read by the bench before operator B starts: what /readyz would wait for if the binding cache gated it"));
    }

    // Operator B: SAR decision cache off; its start is the startup measurement.
    await using (var op = OperatorProcess.Start(options.Operator, plane.KubeconfigPath, Path.Combine(options.LogDirectory, "operator-cache-off.log"),
        options.OperatorEnvironmentFor(new Dictionary<string, string> { ["Webhooks__AuthorizationCacheTtl"] = "00:00:00" })))
    {
        var startMeter = MeterFor(op);
        var startCpu = startMeter.Read();
        var ready = await op.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
        figures.Add(PhaseFigures.Cpu("startup (start → /readyz)", startMeter.Since(startCpu)));
        var rssAtReady = op.ReadRssBytes();
        NoteRss(rssAtReady);
        await log.WriteLineAsync($"==> [bench] operator (pid {op.Pid}) ready in {ready.TotalSeconds:0.00}s with {credSpecs} credspecs and {bindings} bindings, RSS {(rssAtReady ?? 0) / 1048576.0:0.0} MiB ({op.RssBreakdown()})");
        figures.Add(Figure.AtMost("startup (start → /readyz)", ready.TotalSeconds, "s", 2, $"{credSpecs:N0} credspecs, {bindings:N0} GmsaBindings and their RBAC present (the issue's target: 10,000 bindings)"));

        var (ns, credSpec) = await PrepareAdmissionAsync(client, log, ct);
        var ca = await WebhookCaAsync(client, ct);
        using var load = new AdmissionLoad(op.WebhookPort, ca);
        var uncached = await MeasureAsync(load, op, "/validate", new SingleBody(AdmissionBodies.Validate(ns, credSpec, contents)), "validate (one body, SAR cache off)", new(1500));
        NoteRss(uncached.MaxRssBytes);
        if (options.Parts.Contains("admission"))
        {
            await PrepareMixAsync();
            var mixUncached = await MeasureAsync(load, op, "/validate", mix.Requests(validate: true, contents), "validate (mix, SAR cache off)", new(3_000, Mix: true));
            await OpenLoopAsync(op, ca, "SAR cache off");
            NoteRss(mixUncached.MaxRssBytes);
        }
    }
}
// The issue states 100 MB (decimal): 100 MB = 95.4 MiB.
figures.Add(Figure.AtMost("operator RSS (max during the runs)", maxRss / 1e6, "MB", 150, "VmRSS from /proc/<pid>/status, sampled every 250 ms"));

// The control plane's own logs go with the operators' (its directory is deleted with it): kube-apiserver traces every
// request that took over half a second, which is where a stall of the operator's API calls shows from the other side.
foreach (var process in plane.Processes)
{
    if (File.Exists(process.LogFile)) File.Copy(process.LogFile, Path.Combine(options.LogDirectory, $"control-plane-{process.Name}.log"), overwrite: true);
}

var report = new BenchReport(options.CommandLine, machine, startedAt, total.Elapsed.TotalSeconds, figures);
Console.WriteLine();
Console.WriteLine($"GmsaOperator benchmark — {machine}");
Console.WriteLine($"{options.CommandLine}; admission: {AdmissionLoad.Connections} connections, {options.WarmUp.TotalSeconds:0}s warm-up, {options.Duration.TotalSeconds:0}s measured; total {total.Elapsed.TotalSeconds:0}s");
Console.WriteLine(report.ToTable());
await report.WriteJsonAsync(options.Output, ct);
Console.WriteLine($"Written to {options.Output}");
// Missed targets fail the run only with --strict: numbers on a shared machine are reported, not gated.
return options.Strict && figures.Any(f => f.Met == false) ? 3 : 0;

// The open-loop /validate run at a constant 1,000 req/s, with where the time went: the operator's mean API round trip
// (its SubjectAccessReviews, from rest_client_request_duration_seconds for POST) next to the end-to-end latency.
async Task OpenLoopAsync(OperatorProcess op, System.Security.Cryptography.X509Certificates.X509Certificate2 ca, string label)
{
    using var open = new OpenLoopLoad(op.WebhookPort, ca);
    var before = await op.MetricsAsync(ct);
    var probe = Probe(op, sampleThreadPool: true);
    var run = await open.RunAsync("/validate", mix.Requests(validate: true, contents), options.OpenLoopRate, options.WarmUp, options.Duration, op.ReadRssBytes, op.SarsSentAsync, probe, ct);
    var after = await op.MetricsAsync(ct);
    var posts = PrometheusText.Sum(after, "rest_client_request_duration_seconds_count", ("verb", "POST")) - PrometheusText.Sum(before, "rest_client_request_duration_seconds_count", ("verb", "POST"));
    var sarMs = posts is > 0 ? (PrometheusText.Sum(after, "rest_client_request_duration_seconds_sum", ("verb", "POST")) - PrometheusText.Sum(before, "rest_client_request_duration_seconds_sum", ("verb", "POST"))) * 1000 / posts : null;
    await Report(run, $"validate (mix, open loop {options.OpenLoopRate:N0}/s, {label})");
    var name = $"validate (mix, open loop {options.OpenLoopRate:N0}/s, {label})";
    figures.AddRange(RunFigures.Of(name, run, new(MaxP99Ms: 10, Mix: true)));
    if (sarMs is { } ms) figures.Add(Figure.Info($"{name} mean SAR round trip", ms, "ms", $"{posts:N0} SubjectAccessReviews during the run (operator's rest_client_request_duration_seconds)"));
    figures.AddRange(PhaseFigures.Admission(name, probe.Measured!, run.Answered));
    NoteRss(run.MaxRssBytes);
}

// One closed-loop run: its rows against their targets (none: the caller reports it), then where its time went.
async Task<AdmissionRun> MeasureAsync(AdmissionLoad load, OperatorProcess op, string path, IAdmissionRequests requests, string label, RunFigures.Targets? targets, string? note = null)
{
    var probe = Probe(op);
    var run = await load.RunAsync(path, requests, options.WarmUp, options.Duration, op.ReadRssBytes, op.SarsSentAsync, probe, ct);
    await Report(run, label);
    if (targets is not null) figures.AddRange(RunFigures.Of(label, run, targets, note));
    figures.AddRange(PhaseFigures.Admission(label, probe.Measured!, run.Answered));
    return run;
}

// CPU of the control plane, the operator under test and this process; its kube-apiserver, etcd, kube-controller-manager first.
CpuMeter MeterFor(OperatorProcess op) => new([
    .. plane.Processes.OrderBy(p => p.Name switch { CpuUsage.ApiServer => 0, "etcd" => 1, _ => 2 }).Select(p => (p.Name, p.Pid)),
    (CpuUsage.Operator, op.Pid), ("bench", Environment.ProcessId)]);

RunProbe Probe(OperatorProcess op, bool sampleThreadPool = false) => new(MeterFor(op), op.MetricsAsync, sampleThreadPool);

Task Report(AdmissionRun run, string what) => log.WriteLineAsync(
    $"==> [bench] {what}: {run.RequestsPerSecond:N0} req/s, p50 {run.P50Ms:0.00} ms, p99 {run.P99Ms:0.00} ms, p99.9 {run.P999Ms:0.00} ms, " +
    $"{run.Errors} errors{(run.FirstError is null ? "" : $" (first: {run.FirstError})")}, {run.Denied} denied, {run.UnauthorisedAllowed} unauthorised allowed, " +
    $"SARs/1000 {run.SarsPer1000:0.0}, max RSS {(run.MaxRssBytes ?? 0) / 1048576.0:0.0} MiB");

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
