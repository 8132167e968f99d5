using System.Diagnostics;

namespace GmsaOperator.Bench;

/// <summary>
/// CPU time of named processes (kube-apiserver, etcd, kube-controller-manager, the operator, the bench itself) and the
/// machine's busy share between two reads of <c>/proc</c>: what each phase of the benchmark cost, and whether the two
/// cores were saturated while it ran.
/// </summary>
internal sealed class CpuMeter(IReadOnlyList<(string Name, int Pid)> processes)
{
    public sealed record Snapshot(long Timestamp, IReadOnlyDictionary<string, long?> ProcessTicks, ProcStat.MachineTicks Machine);

    public Snapshot Read() => new(Stopwatch.GetTimestamp(),
        processes.ToDictionary(p => p.Name, p => ReadProcess(p.Pid), StringComparer.Ordinal),
        ProcStat.Machine(File.ReadAllText("/proc/stat")));

    /// <summary>What was used from <paramref name="start"/> to now; a process that was not running at either end is left out.</summary>
    public CpuUsage Since(Snapshot start) => CpuUsage.Between(start, Read(), processes.Select(p => p.Name).ToArray());

    private static long? ReadProcess(int pid)
    {
        try
        {
            return ProcStat.ProcessTicks(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
