using System.Diagnostics;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>Runs the commands a user would type (kubectl, the repository's scripts, the operator's CLI).</summary>
internal static class Shell
{
    public sealed record Result(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"$ {Command}\nexit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TextWriter? echo = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot.Path,
        };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        var command = $"{file} {string.Join(' ', psi.ArgumentList)}";
        echo?.WriteLine($"$ {command}");

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = Task.Run(async () =>
        {
            var all = new System.Text.StringBuilder();
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                all.AppendLine(line);
                if (echo is not null && line.StartsWith("==>", StringComparison.Ordinal)) await echo.WriteLineAsync(line);
            }
            return all.ToString();
        });
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds:0}s.");
        }
        return new Result(command, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and fails the test on a non-zero exit.</summary>
    public static async Task<string> SucceedAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TextWriter? echo = null)
    {
        var result = await RunAsync(file, args, timeout, environment, workingDirectory, echo);
        if (result.ExitCode != 0) Assert.Fail(result.ToString());
        return result.Stdout;
    }
}
