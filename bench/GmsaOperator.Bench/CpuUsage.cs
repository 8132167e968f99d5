using System.Diagnostics;
using System.Globalization;

namespace GmsaOperator.Bench;

/// <summary>
/// CPU seconds per process over one phase, its wall time, and the machine's busy share (busy / total ticks, all cores);
/// <see cref="OtherSeconds"/> is the machine's busy time that none of the listed processes used (anything else running).
/// </summary>
internal sealed record CpuUsage(double WallSeconds, IReadOnlyList<(string Name, double Seconds)> Processes, double MachineBusyShare, double MachineBusySeconds, int Cores)
{
    public const string ApiServer = "kube-apiserver";
    public const string Operator = "operator";

    public static CpuUsage Between(CpuMeter.Snapshot start, CpuMeter.Snapshot end, IReadOnlyList<string> order)
    {
        var ticks = (double)ProcStat.TicksPerSecond;
        var processes = order
            .Where(n => start.ProcessTicks.GetValueOrDefault(n) is not null && end.ProcessTicks.GetValueOrDefault(n) is not null)
            .Select(n => (n, (end.ProcessTicks[n]!.Value - start.ProcessTicks[n]!.Value) / ticks)).ToList();
        var total = end.Machine.Total - start.Machine.Total;
        return new CpuUsage((end.Timestamp - start.Timestamp) / (double)Stopwatch.Frequency, processes,
            total > 0 ? (end.Machine.Busy - start.Machine.Busy) / (double)total : double.NaN, (end.Machine.Busy - start.Machine.Busy) / ticks, end.Machine.Cores);
    }

    public double OtherSeconds => Math.Max(0, MachineBusySeconds - Processes.Sum(p => p.Seconds));

    public double? SecondsOf(string name) => Processes.Where(p => p.Name == name).Select(p => (double?)p.Seconds).FirstOrDefault();

    /// <summary>"kube-apiserver 14.2 s (71 % of one core), …, other processes 0.3 s; machine busy 97 % of 2 cores over 20.0 s".</summary>
    public string Describe() => string.Join(", ", Processes.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Name} {p.Seconds:0.00} s ({(WallSeconds > 0 ? 100 * p.Seconds / WallSeconds : double.NaN):0} % of one core)")))
        + string.Create(CultureInfo.InvariantCulture, $", other processes {OtherSeconds:0.00} s; machine busy {100 * MachineBusyShare:0} % of {Cores} cores over {WallSeconds:0.0} s");

    /// <summary>The same numbers for artifacts/bench.json.</summary>
    public IReadOnlyDictionary<string, double> Parts() => Processes.ToDictionary(p => $"{p.Name} cpu s", p => Math.Round(p.Seconds, 3), StringComparer.Ordinal)
        .Append(new("other processes cpu s", Math.Round(OtherSeconds, 3))).Append(new("wall s", Math.Round(WallSeconds, 3))).Append(new("machine busy %", Math.Round(100 * MachineBusyShare, 1))).Append(new("cores", Cores))
        .ToDictionary(StringComparer.Ordinal);
}
