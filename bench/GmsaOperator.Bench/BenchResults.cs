using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmsaOperator.Bench;

/// <summary>One figure of the results table: measured value, the target (if any) and whether it was met.</summary>
internal sealed record Figure(string Name, double? Value, string Unit, string? Target, bool? Met, string? Note = null)
{
    /// <summary>The numbers behind an informational row (e.g. CPU seconds per process), for artifacts/bench.json.</summary>
    public IReadOnlyDictionary<string, double>? Parts { get; init; }

    public static Figure AtLeast(string name, double value, string unit, double target, string? note = null) =>
        new(name, value, unit, $">= {Format(target)} {unit}", !double.IsNaN(value) && value >= target, note);

    public static Figure AtMost(string name, double value, string unit, double target, string? note = null) =>
        new(name, value, unit, $"<= {Format(target)} {unit}", !double.IsNaN(value) && value <= target, note);

    public static Figure Info(string name, double value, string unit, string? note = null) => new(name, value, unit, null, null, note);

    public static string Format(double v) => double.IsNaN(v) ? "n/a"
        : Math.Abs(v) >= 100 ? v.ToString("N0", CultureInfo.InvariantCulture)
        : v.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>The whole benchmark result: machine, command, figures; printed as a table and written as JSON.</summary>
internal sealed record BenchReport(string Command, string Machine, DateTimeOffset StartedAt, double TotalSeconds, IReadOnlyList<Figure> Figures)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToTable()
    {
        var rows = Figures.Select(f => new[]
        {
            f.Name, f.Value is { } v ? $"{Figure.Format(v)} {f.Unit}" : "-", f.Target ?? "-",
            f.Met switch { true => "met", false => "NOT MET", null => "-" }, f.Note ?? "",
        }).ToList();
        string[] header = ["Figure", "Measured", "Target", "Result", "Note"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Row(string[] cells) => sb.Append("| ").AppendJoin(" | ", cells.Select((c, i) => c.PadRight(widths[i]))).AppendLine(" |");
        Row(header);
        sb.Append("|-").AppendJoin("-|-", widths.Select(w => new string('-', w))).AppendLine("-|");
        foreach (var r in rows) Row(r);
        return sb.ToString();
    }

    public async Task WriteJsonAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Json), cancellationToken);
    }
}
