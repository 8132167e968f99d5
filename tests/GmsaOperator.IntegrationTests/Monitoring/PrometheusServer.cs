using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GmsaOperator.LocalControlPlane;

namespace GmsaOperator.IntegrationTests.Monitoring;

/// <summary>
/// Debian's <c>prometheus</c> on a free loopback port with a temporary config and storage directory, scraping one
/// target every second and evaluating the given rules file every second. Disposal kills the process (by its id) and
/// removes the directory.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private PrometheusServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    /// <summary>What prometheus printed (for failure messages).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The prometheus binary on PATH; fails the test (never skips it) when it is missing.</summary>
    public static string Binary()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "prometheus")).FirstOrDefault(File.Exists);
        if (found is null)
        {
            Assert.Fail("prometheus is not installed. `make test` (and `make integration-test`) install Debian's prometheus package " +
                        "(hack/prometheus-prerequisites.sh); or run `apt-get install --no-install-recommends prometheus`.");
        }
        return found!;
    }

    /// <param name="target">host:port serving plain-HTTP /metrics.</param>
    /// <param name="rulesYaml">A Prometheus rules file (<c>groups:</c>).</param>
    public static async Task<PrometheusServer> StartAsync(string target, string rulesYaml, CancellationToken ct)
    {
        var binary = Binary();
        var directory = Directory.CreateTempSubdirectory("gmsa-prometheus-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "rules.yaml"), rulesYaml, ct);
            await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - rules.yaml
                scrape_configs:
                  - job_name: gmsa-operator
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["{target}"]
                """, ct);
            var port = FreePorts.Next();
            var start = new ProcessStartInfo(binary)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
                     {
                         $"--config.file={Path.Combine(directory, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                         $"--web.listen-address=127.0.0.1:{port}",
                     })
            {
                start.ArgumentList.Add(argument);
            }
            var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start.");
            var server = new PrometheusServer(process, directory, port);
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return server;
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The alerts of <c>/api/v1/alerts</c>: name and state of each.</summary>
    public async Task<IReadOnlyList<(string Name, string State)>> AlertsAsync(CancellationToken ct)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>("/api/v1/alerts", ct);
        return [.. body.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => (a.GetProperty("labels").GetProperty("alertname").GetString()!, a.GetProperty("state").GetString()!))];
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Length < 64 * 1024) _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited) _process.Kill();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
