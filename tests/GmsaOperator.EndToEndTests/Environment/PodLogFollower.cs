using System.Diagnostics;
using System.Text;
using GmsaOperator.EndToEndTests.Deployed;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>`kubectl logs -f` of one pod: its log survives the pod, so a test can read how a replica shut down.</summary>
internal sealed class PodLogFollower : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private PodLogFollower(string pod, Process process)
    {
        Pod = pod;
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
    }

    public string Pod { get; }

    public static PodLogFollower Start(string pod, string @namespace, string container)
    {
        var psi = new ProcessStartInfo("kubectl", ["--kubeconfig", E2ECluster.Plane.KubeconfigPath, "logs", "-f", pod, "-n", @namespace, "-c", container])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        return new PodLogFollower(pod, Process.Start(psi)!);
    }

    /// <summary>The whole log, once the container has exited (kubectl then ends the stream).</summary>
    public async Task<string> WaitForEndAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return await _output;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
