using GmsaOperator.LocalControlPlane;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>Debian's docker-registry on loopback: where the README's "build and push" sends the image.</summary>
internal sealed class LocalRegistry : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private LocalRegistry(ManagedProcess process, int port)
    {
        _process = process;
        HostPort = $"127.0.0.1:{port}";
    }

    public string HostPort { get; }

    public static async Task<LocalRegistry> StartAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var port = FreePorts.Next();
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "data")}
            http:
              addr: 127.0.0.1:{port}
            """, cancellationToken);
        var process = ManagedProcess.Start("docker-registry", "/usr/bin/docker-registry", ["serve", config], Path.Combine(directory, "registry.log"), detached: false);
        var registry = new LocalRegistry(process, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(async ct =>
        {
            if (process.HasExited) throw new InvalidOperationException($"docker-registry exited: {string.Join('\n', process.LastLogLines(10))}");
            using var response = await http.GetAsync($"http://{registry.HostPort}/v2/", ct);
            return response.IsSuccessStatusCode ? registry : null;
        }, TimeSpan.FromSeconds(30), "the registry to answer /v2/");
        return registry;
    }

    public async ValueTask DisposeAsync() => await _process.StopAsync(TimeSpan.FromSeconds(5));
}
