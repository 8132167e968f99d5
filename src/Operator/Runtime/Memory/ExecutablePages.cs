using System.Globalization;
using System.Runtime.InteropServices;

namespace GmsaOperator.Runtime.Memory;

/// <summary>One line of <c>/proc/&lt;pid&gt;/maps</c>: an address range, its permissions and the file it maps (if any).</summary>
public sealed record MemoryMapping(ulong Start, ulong End, string Permissions, string? Path)
{
    public bool Writable => Permissions.Length > 1 && Permissions[1] == 'w';

    public ulong Length => End - Start;

    /// <summary>Parses <c>/proc/&lt;pid&gt;/maps</c> text; lines that do not parse are skipped.</summary>
    public static IReadOnlyList<MemoryMapping> Parse(string maps)
    {
        var mappings = new List<MemoryMapping>();
        foreach (var line in maps.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // start-end perms offset dev inode [path]; the path may contain spaces and is everything after the inode.
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5) continue;
            var range = fields[0].Split('-');
            if (range.Length != 2
                || !ulong.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                || !ulong.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end)
                || end <= start)
            {
                continue;
            }
            var path = fields.Length == 6 ? fields[5].Trim() : null;
            mappings.Add(new MemoryMapping(start, end, fields[1], string.IsNullOrEmpty(path) ? null : path));
        }
        return mappings;
    }
}

/// <summary>
/// Hands the kernel back the pages of a mapped file that this process has touched (<c>madvise(MADV_PAGEOUT)</c>, Linux
/// 5.4+): for a NativeAOT executable, most of its resident pages are code and data read once at startup (type
/// metadata, JSON contracts, the configuration and DI setup), which stay in the process's RSS for its whole life
/// otherwise. Only read-only mappings are advised, and MADV_PAGEOUT never discards data: a page needed again is read
/// back on its next access.
/// </summary>
public static partial class ExecutablePages
{
    private const int MadvPageout = 21;

    /// <summary>
    /// Advises every read-only mapping of <paramref name="path"/> in this process; returns the bytes advised, or null
    /// when the kernel does not support it (not Linux, or older than 5.4).
    /// </summary>
    public static long? Release(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        long advised = 0;
        foreach (var mapping in MemoryMapping.Parse(File.ReadAllText("/proc/self/maps")))
        {
            if (mapping.Writable || !string.Equals(mapping.Path, path, StringComparison.Ordinal)) continue;
            if (Madvise((nint)mapping.Start, (nuint)mapping.Length, MadvPageout) != 0)
            {
                // EINVAL: no MADV_PAGEOUT in this kernel; nothing else is expected for a mapping read from maps a moment ago.
                if (Marshal.GetLastPInvokeError() == 22) return null;
                continue;
            }
            advised += (long)mapping.Length;
        }
        return advised;
    }

    /// <summary><see cref="Release"/> for this process's own executable.</summary>
    public static long? ReleaseOwnExecutable() => Environment.ProcessPath is { } exe ? Release(exe) : null;

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
