using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GmsaOperator.LocalControlPlane;

/// <summary>One control-plane process: output to a log file, its own session (so a terminal's Ctrl-C reaches only
/// us and we stop it in order), and, unless detached, a watchdog that kills it if our process dies abruptly.</summary>
public sealed partial class ManagedProcess
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private ManagedProcess(string name, int pid, string logFile, Process? process)
    {
        Name = name;
        Pid = pid;
        LogFile = logFile;
        _process = process;
    }

    private readonly Process? _process;

    public string Name { get; }
    public int Pid { get; }
    public string LogFile { get; }

    public bool HasExited => _process?.HasExited ?? !IsAlive(Pid);

    public static ManagedProcess Start(string name, string binary, IEnumerable<string> args, string logFile, bool detached,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        // sh execs setsid which execs the binary (not a group leader, so no fork): the PID we get is the binary's.
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec setsid \"$0\" \"$@\" </dev/null >>\"$LOG_FILE\" 2>&1");
        psi.ArgumentList.Add(binary);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["LOG_FILE"] = logFile;
        // The API server must reach webhooks on loopback directly, never through a proxy.
        foreach (var proxy in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy" })
        {
            psi.Environment.Remove(proxy);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new ControlPlaneException($"Could not start {name} ({binary}).");
        if (!detached)
        {
            StartWatchdog(Environment.ProcessId, process.Id);
        }

        return new ManagedProcess(name, process.Id, logFile, process);
    }

    /// <summary>Re-attaches to a process started by an earlier, detached run (for <c>cluster-down</c>).</summary>
    public static ManagedProcess Attach(string name, int pid, string logFile) => new(name, pid, logFile, null);

    public IReadOnlyList<string> LastLogLines(int count)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var lines = new Queue<string>();
            while (reader.ReadLine() is { } line)
            {
                lines.Enqueue(line);
                if (lines.Count > count) lines.Dequeue();
            }
            return [.. lines];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; returns when the process is gone.</summary>
    public async Task StopAsync(TimeSpan grace, bool hard = false)
    {
        if (HasExited) return;
        Kill(Pid, hard ? SigKill : SigTerm);
        if (await WaitForExitAsync(grace)) return;
        Kill(Pid, SigKill);
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is not null)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!IsAlive(Pid)) return true;
            await Task.Delay(100);
        }
        return !IsAlive(Pid);
    }

    internal static void StartWatchdog(int parentPid, int childPid)
    {
        // Ends by itself when the child ends; kills the child when the parent disappears (test host aborted, kill -9).
        const string script = "while kill -0 \"$0\" 2>/dev/null; do kill -0 \"$1\" 2>/dev/null || exit 0; sleep 1; done; " +
                              "kill -TERM \"$1\" 2>/dev/null; sleep 5; kill -0 \"$1\" 2>/dev/null && kill -KILL \"$1\"";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec setsid /bin/sh -c '{script}' {parentPid} {childPid} </dev/null >/dev/null 2>&1");
        using var _ = Process.Start(psi);
    }

    public static bool IsAlive(int pid) => Kill(pid, 0) == 0 && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int Kill(int pid, int signal) => SysKill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int sig);
}
