using System.Diagnostics;
using GmsaOperator.Bench;

namespace GmsaOperator.Tests.Bench;

/// <summary>The benchmark's CPU accounting reads utime + stime from /proc/&lt;pid&gt;/stat and busy/total from /proc/stat.</summary>
public sealed class ProcStatTests
{
    // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    private const string KubeApiServer =
        "4242 (kube-apiserver) S 1 4242 4242 0 -1 4194560 51234 0 12 0 1234 567 3 4 20 0 17 0 9001 1234567890 45678 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

    [Test]
    public void ProcessTicks_AreUtimePlusStime() => Assert.That(ProcStat.ProcessTicks(KubeApiServer), Is.EqualTo(1234 + 567));

    [TestCase("4242 (my proc) S 1 4242 4242 0 -1 0 0 0 0 0 100 50 0 0 20 0 1 0 9 1 1")]
    [TestCase("4242 (a) b) (c) R 1 4242 4242 0 -1 0 0 0 0 0 100 50 0 0 20 0 1 0 9 1 1")]
    [TestCase("4242 ()) S 1 4242 4242 0 -1 0 0 0 0 0 100 50 0 0 20 0 1 0 9 1 1\n")]
    public void ProcessTicks_CountFieldsAfterTheLastParenthesis_WhateverTheCommandName(string stat) =>
        Assert.That(ProcStat.ProcessTicks(stat), Is.EqualTo(150));

    [TestCase("4242 kube-apiserver S 1 2 3")]
    [TestCase("4242 (kube-apiserver) S 1 2 3")]
    public void ProcessTicks_RejectTruncatedLines(string stat) => Assert.Throws<FormatException>(() => ProcStat.ProcessTicks(stat));

    [Test]
    public void Machine_BusyIsEverythingButIdleAndIowait_OverTheFirstEightColumns()
    {
        const string stat = """
            cpu  100 10 50 800 40 5 5 2 30 0
            cpu0 50 5 25 400 20 3 2 1 15 0
            cpu1 50 5 25 400 20 2 3 1 15 0
            intr 12345 0 0
            ctxt 999
            """;

        var machine = ProcStat.Machine(stat);

        // guest (30) is already inside user, so it is not added again.
        Assert.That(machine, Is.EqualTo(new ProcStat.MachineTicks(Busy: 100 + 10 + 50 + 5 + 5 + 2, Total: 100 + 10 + 50 + 800 + 40 + 5 + 5 + 2, Cores: 2)));
    }

    [Test]
    public void Machine_WithoutTheAggregateLine_IsAnError() => Assert.Throws<FormatException>(() => ProcStat.Machine("cpu0 1 2 3 4 5\n"));

    [Test]
    public void ThisMachine_IsReadable()
    {
        var machine = ProcStat.Machine(File.ReadAllText("/proc/stat"));
        var self = ProcStat.ProcessTicks(File.ReadAllText($"/proc/{Environment.ProcessId}/stat"));

        Assert.Multiple(() =>
        {
            Assert.That(machine.Cores, Is.GreaterThanOrEqualTo(1));
            Assert.That(machine.Busy, Is.InRange(1, machine.Total));
            Assert.That(self, Is.GreaterThan(0), "this test host has used some CPU");
            Assert.That(ProcStat.TicksPerSecond, Is.GreaterThan(0));
        });
    }

    [Test]
    public void Usage_IsTheDifferenceInSecondsAndTheBusyShare_LeavingOutProcessesNotRunningAtBothEnds()
    {
        var hz = ProcStat.TicksPerSecond;
        var start = new CpuMeter.Snapshot(0, new Dictionary<string, long?> { ["kube-apiserver"] = 10 * hz, ["operator"] = null, ["etcd"] = hz },
            new ProcStat.MachineTicks(Busy: 1000, Total: 4000, Cores: 2));
        var end = new CpuMeter.Snapshot(2 * Stopwatch.Frequency, new Dictionary<string, long?> { ["kube-apiserver"] = 11 * hz + hz / 2, ["operator"] = 5 * hz, ["etcd"] = hz },
            new ProcStat.MachineTicks(Busy: 1000 + 3 * hz, Total: 4000 + 4 * hz, Cores: 2));

        var usage = CpuUsage.Between(start, end, ["kube-apiserver", "etcd", "operator"]);

        Assert.Multiple(() =>
        {
            Assert.That(usage.WallSeconds, Is.EqualTo(2).Within(1e-9));
            Assert.That(usage.Processes, Is.EqualTo(new[] { ("kube-apiserver", 1.5), ("etcd", 0.0) }));
            Assert.That(usage.MachineBusyShare, Is.EqualTo(0.75).Within(1e-9));
            Assert.That(usage.SecondsOf("operator"), Is.Null);
            Assert.That(usage.OtherSeconds, Is.EqualTo(1.5).Within(1e-9), "3 s busy, 1.5 s of it the listed processes'");
            Assert.That(usage.Describe(), Is.EqualTo(
                "kube-apiserver 1.50 s (75 % of one core), etcd 0.00 s (0 % of one core), other processes 1.50 s; machine busy 75 % of 2 cores over 2.0 s"));
        });
    }
}
