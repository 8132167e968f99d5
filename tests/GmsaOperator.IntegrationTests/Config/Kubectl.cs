using System.Diagnostics;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>Runs kubectl against the test control plane.</summary>
internal static class Kubectl
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <param name="kubeconfig">Another control plane's kubeconfig; the shared plane's when null.</param>
    public static async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null, CancellationToken cancellationToken = default, string? kubeconfig = null)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig ?? ControlPlaneSetup.Plane.KubeconfigPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return await RunProcessAsync(start, stdin, cancellationToken);
    }

    /// <summary>Runs a prepared process (output redirected) to its end, at most two minutes, feeding it <paramref name="stdin"/>.</summary>
    public static async Task<Result> RunProcessAsync(ProcessStartInfo start, string? stdin = null, CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs kubectl and fails the test when it exits non-zero.</summary>
    public static async Task<string> SucceedAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.That(result.ExitCode, Is.Zero, $"kubectl {string.Join(' ', args)}\n{result}");
        return result.Stdout;
    }
}
