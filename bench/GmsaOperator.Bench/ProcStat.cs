using System.Globalization;
using System.Runtime.InteropServices;

namespace GmsaOperator.Bench;

/// <summary>Parsers of Linux's <c>/proc/&lt;pid&gt;/stat</c> (a process's CPU time) and <c>/proc/stat</c> (the machine's).</summary>
internal static partial class ProcStat
{
    /// <summary>Machine CPU time since boot in ticks: busy (everything but idle and iowait), total, and the number of cores.</summary>
    public readonly record struct MachineTicks(long Busy, long Total, int Cores);

    /// <summary>Clock ticks per second of both files (USER_HZ: sysconf(_SC_CLK_TCK), 100 on every Linux ABI we run on).</summary>
    public static long TicksPerSecond { get; } = ReadTicksPerSecond();

    /// <summary>utime + stime of one process (all its threads), in ticks, from the text of <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    /// <remarks>The second field is the command name in parentheses, which may itself contain spaces and ')': the
    /// fields are counted from after the last ')'. There, field 0 is the state and utime/stime are fields 11 and 12
    /// (fields 14 and 15 of the whole line in proc(5)).</remarks>
    public static long ProcessTicks(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) throw new FormatException("no command name in /proc/<pid>/stat");
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13) throw new FormatException($"/proc/<pid>/stat has {fields.Length} fields after the command name, expected at least 13");
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The aggregate <c>cpu</c> line of <c>/proc/stat</c>: user nice system idle iowait irq softirq steal
    /// (guest and guest_nice are already inside user and nice, so they are not added again).</summary>
    public static MachineTicks Machine(string procStat)
    {
        var lines = procStat.Split('\n');
        var cpu = lines.FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal)) ?? throw new FormatException("no aggregate cpu line in /proc/stat");
        var values = cpu.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (values.Length < 5) throw new FormatException($"the cpu line of /proc/stat has {values.Length} values, expected at least 5");
        var total = values.Sum();
        var idle = values[3] + values[4];
        var cores = lines.Count(l => l.Length > 3 && l.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(l[3]));
        return new MachineTicks(total - idle, total, Math.Max(1, cores));
    }

    private static long ReadTicksPerSecond()
    {
        try
        {
            var ticks = SysConf(ClockTicks);
            return ticks > 0 ? ticks : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
        catch (EntryPointNotFoundException)
        {
            return 100;
        }
    }

    private const int ClockTicks = 2; // _SC_CLK_TCK on Linux

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
