using System.IO.MemoryMappedFiles;
using GmsaOperator.Runtime.Memory;

namespace GmsaOperator.Tests.Runtime.Memory;

public sealed class ExecutablePagesTests
{
    [Test]
    public void Parse_ReadsRangesPermissionsAndPaths_SkipsWhatIsNotAMapping()
    {
        var mappings = MemoryMapping.Parse("""
            55d0c0a00000-55d0c0b00000 r--p 00000000 08:01 1234                       /app/gmsa-operator
            55d0c0b00000-55d0c2000000 r-xp 00100000 08:01 1234                       /app/gmsa-operator
            55d0c2000000-55d0c2100000 rw-p 01600000 08:01 1234                       /app/gmsa-operator
            7f00c0000000-7f00c0021000 rw-p 00000000 00:00 0
            7f00c1000000-7f00c1001000 r--p 00000000 08:01 99                         /tmp/a file with spaces
            garbage line
            zz-10 r--p 0 0 0 /x
            """);

        Assert.That(mappings.Select(m => (m.Start, m.End, m.Permissions, m.Path, m.Writable)), Is.EqualTo(new[]
        {
            (0x55d0c0a00000UL, 0x55d0c0b00000UL, "r--p", (string?)"/app/gmsa-operator", false),
            (0x55d0c0b00000UL, 0x55d0c2000000UL, "r-xp", "/app/gmsa-operator", false),
            (0x55d0c2000000UL, 0x55d0c2100000UL, "rw-p", "/app/gmsa-operator", true),
            (0x7f00c0000000UL, 0x7f00c0021000UL, "rw-p", null, true),
            (0x7f00c1000000UL, 0x7f00c1001000UL, "r--p", "/tmp/a file with spaces", false),
        }));
    }

    [Test]
    public void Release_DropsTheResidentPagesOfReadOnlyMappings_AndTheyReadBackUnchanged()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("/proc and madvise are Linux's");
        var path = Path.Combine(Path.GetTempPath(), $"pages-{Guid.NewGuid():N}.bin");
        var content = new byte[8 << 20];
        new Random(7).NextBytes(content);
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew))
            {
                file.Write(content);
                file.Flush(flushToDisk: true); // clean page cache: nothing for the kernel to write back
            }
            using var mapped = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            using var view = mapped.CreateViewAccessor(0, content.Length, MemoryMappedFileAccess.Read);
            long sum = 0;
            for (var offset = 0; offset < content.Length; offset += 4096) sum += view.ReadByte(offset);
            Assert.That(ResidentKiB(path), Is.GreaterThan(6 * 1024), "the touched pages are resident");

            var released = ExecutablePages.Release(path);

            Assert.That(released, Is.GreaterThanOrEqualTo(content.Length));
            Assert.That(ResidentKiB(path), Is.LessThan(1024), "the kernel took them back");
            var back = new byte[content.Length];
            view.ReadArray(0, back, 0, back.Length);
            Assert.That(back, Is.EqualTo(content), "pages read back on access, unchanged");
            Assert.That(sum, Is.GreaterThan(0));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Release_LeavesWritableMappingsAlone()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("/proc and madvise are Linux's");
        var path = Path.Combine(Path.GetTempPath(), $"pages-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllBytes(path, new byte[1 << 20]);
            using var mapped = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
            using var view = mapped.CreateViewAccessor(0, 1 << 20, MemoryMappedFileAccess.ReadWrite);
            view.Write(0, (byte)42);

            Assert.That(ExecutablePages.Release(path), Is.EqualTo(0));
            Assert.That(view.ReadByte(0), Is.EqualTo(42));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static long ResidentKiB(string path)
    {
        long total = 0;
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (char.IsAsciiHexDigit(line[0]) && line.Contains('-', StringComparison.Ordinal) && line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries) is { Length: >= 5 } fields)
            {
                inMapping = fields.Length == 6 && fields[5].Trim() == path;
            }
            else if (inMapping && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                total += long.Parse(line[4..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return total;
    }
}
