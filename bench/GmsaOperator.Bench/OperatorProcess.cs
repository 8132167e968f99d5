using System.Diagnostics;
using GmsaOperator.LocalControlPlane;

namespace GmsaOperator.Bench;

/// <summary>
/// The real <c>gmsa-operator run</c> as a child process (so its RSS is its own), output to a log file. Measures
/// start → <c>/readyz</c> 200 and samples VmRSS from <c>/proc/&lt;pid&gt;/status</c>.
/// </summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private OperatorProcess(Process process, int webhookPort, int healthPort, Stopwatch sinceStart)
    {
        _process = process;
        WebhookPort = webhookPort;
        HealthPort = healthPort;
        SinceStart = sinceStart;
    }

    public int WebhookPort { get; }
    public int HealthPort { get; }
    public int Pid => _process.Id;
    public Stopwatch SinceStart { get; }

    /// <param name="environment">Extra environment (<see cref="BenchOptions.OperatorEnvironmentFor"/>).</param>
    public static OperatorProcess Start(string executable, string kubeconfig, string logFile, IReadOnlyDictionary<string, string> environment)
    {
        var webhookPort = FreePorts.Next();
        var healthPort = FreePorts.Next();
        // exec through sh so the pid is the operator's own and its output goes straight to a file (no pipe to drain).
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" run --kubeconfig \"$1\" --webhook-port \"$2\" --health-port \"$3\" --local-webhooks true >\"$4\" 2>&1");
        start.ArgumentList.Add(executable);
        start.ArgumentList.Add(kubeconfig);
        start.ArgumentList.Add(webhookPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(logFile);
        start.Environment.Remove("KUBECONFIG");
        start.Environment["DOTNET_gcServer"] = "0";
        // /metrics is read from the plain loopback health port, also when the bench itself runs in a pod.
        start.Environment["Metrics__Secure"] = "false";
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        return new OperatorProcess(process, webhookPort, healthPort, sw);
    }

    /// <summary>Polls /readyz every 20 ms; returns the time from process start to the first 200.</summary>
    public async Task<TimeSpan> WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = SinceStart.Elapsed + timeout;
        while (SinceStart.Elapsed < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"gmsa-operator exited with code {_process.ExitCode} before it became ready");
            try
            {
                using var response = await _http.GetAsync($"http://127.0.0.1:{HealthPort}/readyz", cancellationToken);
                if (response.IsSuccessStatusCode) return SinceStart.Elapsed;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(20, cancellationToken);
        }
        throw new TimeoutException($"gmsa-operator not ready within {timeout.TotalSeconds:0}s");
    }

    /// <summary>Waits until the operator's work queues have been empty for a second (read from its <c>/metrics</c>).</summary>
    public async Task WaitIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var idleSince = (TimeSpan?)null;
        while (sw.Elapsed < timeout)
        {
            var metrics = await _http.GetStringAsync($"http://127.0.0.1:{HealthPort}/metrics", cancellationToken);
            var depth = metrics.Split('\n').Where(l => l.StartsWith("workqueue_depth", StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            if (depth > 0) idleSince = null;
            else if ((idleSince ??= sw.Elapsed) <= sw.Elapsed - TimeSpan.FromSeconds(1)) return;
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"the operator's work queues did not drain within {timeout.TotalSeconds:0}s");
    }

    /// <summary>Saves the operator's <c>/metrics</c> (API requests by verb and code, reconciles, queue) next to its log.</summary>
    public async Task SaveMetricsAsync(string path, CancellationToken cancellationToken)
    {
        var text = await _http.GetStringAsync($"http://127.0.0.1:{HealthPort}/metrics", cancellationToken);
        await File.WriteAllTextAsync(path, text, cancellationToken);
    }

    /// <summary>The operator's <c>/metrics</c> text.</summary>
    public Task<string> MetricsAsync(CancellationToken cancellationToken) => _http.GetStringAsync($"http://127.0.0.1:{HealthPort}/metrics", cancellationToken);

    /// <summary>SubjectAccessReviews the operator has sent so far; null for a build without the per-resource request counter.</summary>
    public async Task<double?> SarsSentAsync(CancellationToken cancellationToken) => SarsSent(await MetricsAsync(cancellationToken));

    /// <summary>SubjectAccessReviews counted in one /metrics text; null for a build without the per-resource request counter.</summary>
    public static double? SarsSent(string metrics) => PrometheusText.Sum(metrics, ApiRequests, ("verb", "create"), ("resource", "localsubjectaccessreviews"));

    /// <summary>The operator's API requests so far by "verb resource" (watches and lists excluded: one per informer, not per object).</summary>
    public async Task<IReadOnlyDictionary<string, double>> ApiRequestsAsync(CancellationToken cancellationToken) =>
        (PrometheusText.Series(await MetricsAsync(cancellationToken), ApiRequests) ?? [])
            .Where(s => s.Labels.GetValueOrDefault("verb") is not ("watch" or "list"))
            .GroupBy(s => $"{s.Labels.GetValueOrDefault("verb")} {s.Labels.GetValueOrDefault("resource")}")
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);

    private const string ApiRequests = "rest_client_requests_by_resource_total";

    /// <summary>The RSS lines of <c>/proc/&lt;pid&gt;/status</c> (anonymous, file-backed, shared), for the log.</summary>
    public string RssBreakdown()
    {
        try
        {
            return string.Join(", ", File.ReadLines($"/proc/{Pid}/status").Where(l => l.StartsWith("Rss", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Resident set size in bytes (VmRSS), or null once the process is gone.</summary>
    public long? ReadRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    /// <summary>SIGTERM (the operator removes its local webhook registration on exit), SIGKILL after 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
