using System.Net;
using System.Net.Sockets;
using GmsaOperator.LocalControlPlane;

namespace GmsaOperator.Tests.LocalControlPlane;

public sealed class ManagedProcessTests
{
    [Test]
    public async Task StartRecordsTheBinarysOwnPidAndStopEndsIt()
    {
        var log = Path.GetTempFileName();
        var process = ManagedProcess.Start("sleeper", "/bin/sleep", ["300"], log, detached: false);
        try
        {
            // sh → setsid → sleep are successive execs of one process; wait until the last exec happened.
            var cmdline = "";
            for (var i = 0; i < 100 && !cmdline.StartsWith("/bin/sleep", StringComparison.Ordinal); i++)
            {
                cmdline = await File.ReadAllTextAsync($"/proc/{process.Pid}/cmdline");
                await Task.Delay(20);
            }
            Assert.That(cmdline, Does.StartWith("/bin/sleep"), "the PID must be the binary's, not a wrapper shell's");
            Assert.That(ManagedProcess.IsAlive(process.Pid), Is.True);

            await process.StopAsync(TimeSpan.FromSeconds(5));

            Assert.That(ManagedProcess.IsAlive(process.Pid), Is.False);
        }
        finally
        {
            await process.StopAsync(TimeSpan.FromSeconds(1), hard: true);
            File.Delete(log);
        }
    }

    [Test]
    public async Task OutputGoesToTheLogFile()
    {
        var log = Path.GetTempFileName();
        var process = ManagedProcess.Start("echo", "/bin/sh", ["-c", "echo first; echo address already in use"], log, detached: false);
        Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(process.LastLogLines(1), Is.EqualTo(new[] { "address already in use" }));
        File.Delete(log);
    }

    [Test]
    public void FreePortIsBindable()
    {
        var port = FreePorts.Next();
        Assert.That(FreePorts.IsFree(port), Is.True);
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.That(FreePorts.IsFree(port), Is.False);
    }
}

public sealed class WatchdogTests
{
    [Test]
    public async Task ChildIsKilledWhenTheWatchedParentDies()
    {
        var log = Path.GetTempFileName();
        var parent = ManagedProcess.Start("parent", "/bin/sleep", ["300"], log, detached: true);
        var child = ManagedProcess.Start("child", "/bin/sleep", ["300"], log, detached: true);
        try
        {
            ManagedProcess.StartWatchdog(parent.Pid, child.Pid);
            await parent.StopAsync(TimeSpan.FromSeconds(5), hard: true);

            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (ManagedProcess.IsAlive(child.Pid) && DateTime.UtcNow < deadline) await Task.Delay(100);

            Assert.That(ManagedProcess.IsAlive(child.Pid), Is.False, "the watchdog must stop the child once the parent is gone");
        }
        finally
        {
            await child.StopAsync(TimeSpan.FromSeconds(1), hard: true);
            File.Delete(log);
        }
    }
}
