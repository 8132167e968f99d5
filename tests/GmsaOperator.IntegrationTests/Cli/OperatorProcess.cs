using System.Collections.Concurrent;
using System.Diagnostics;

namespace GmsaOperator.IntegrationTests.Cli;

/// <summary>The built <c>gmsa-operator</c> executable as a child process, its stdout and stderr collected line by line.</summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private OperatorProcess(Process process) => _process = process;

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join("\n", _lines);

    /// <param name="executable">The shipped <c>gmsa-operator</c>, or the development host <c>gmsa-operator-dev</c>.</param>
    public static OperatorProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string executable = "gmsa-operator")
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, executable))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // Not the test run's cluster or pod: only what the test passes.
        info.Environment.Remove("KUBECONFIG");
        info.Environment.Remove("POD_NAME");
        info.Environment.Remove("POD_NAMESPACE");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = new Process { StartInfo = info };
        var result = new OperatorProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) result._lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) result._lines.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_lines.FirstOrDefault(match) is { } line) return line;
            if (_process.HasExited) break;
            await Task.Delay(100);
        }
        Assert.Fail($"No line {what} within {timeout.TotalSeconds} s (exited: {_process.HasExited}). Output:\n{Output}");
        throw new UnreachableException();
    }

    /// <summary>Exit code, or null when it did not exit within <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>What the kubelet sends on pod deletion.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
