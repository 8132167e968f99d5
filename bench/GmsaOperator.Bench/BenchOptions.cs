using System.Globalization;

namespace GmsaOperator.Bench;

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(string Operator, string Output, string LogDirectory, bool Large, bool Strict, TimeSpan WarmUp, TimeSpan Duration, string CommandLine)
{
    /// <summary>Convergence sizes; <c>--sizes 1000,5000</c> overrides (for working on one figure).</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [100, 1000];

    /// <summary><c>--huge</c>: convergence at N = 10,000 and 50,000 service accounts in the memory part (slow: ~10 min more).</summary>
    public bool Huge { get; init; }

    /// <summary>Offered rate of the open-loop run (<c>--rate</c>, default 1,000 req/s).</summary>
    public double OpenLoopRate { get; init; } = 1000;

    /// <summary>Which parts run: admission, memory, startup (convergence runs whenever <see cref="Sizes"/> is not empty); <c>--only admission,startup</c>.</summary>
    public IReadOnlySet<string> Parts { get; init; } = new HashSet<string> { "admission", "memory", "startup" };

    /// <summary>
    /// The operator's GC heap hard limit in MiB (<c>--heap-limit-mib</c>; 0: none). Default 192: the 75 % of the shipped
    /// Deployment's 256Mi memory limit that .NET takes as its heap limit inside such a container.
    /// </summary>
    public int HeapLimitMiB { get; init; } = 192;

    /// <summary>Extra environment for the operator processes (<c>--operator-env DOTNET_GCgen0size=1000000,…</c>), for experiments.</summary>
    public IReadOnlyDictionary<string, string> OperatorEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The environment of one operator process: the heap limit of the shipped container, then <see cref="OperatorEnvironment"/>,
    /// then <paramref name="process"/> (e.g. <c>Webhooks__AuthorizationCacheTtl=00:00:00</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> OperatorEnvironmentFor(IReadOnlyDictionary<string, string>? process = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (HeapLimitMiB > 0) env["DOTNET_GCHeapHardLimit"] = (HeapLimitMiB * 1024L * 1024L).ToString("X", CultureInfo.InvariantCulture);
        foreach (var (k, v) in OperatorEnvironment.Concat(process ?? new Dictionary<string, string>())) env[k] = v;
        return env;
    }

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var op = Value("--operator") ?? "src/Operator/bin/Release/net10.0/gmsa-operator";
        if (!File.Exists(op)) throw new FileNotFoundException($"operator executable '{op}' not found (build it first, or pass --operator)");
        var seconds = (string name, double fallback) => TimeSpan.FromSeconds(double.Parse(Value(name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        return new BenchOptions(Path.GetFullPath(op), Value("--output") ?? "artifacts/bench.json", Value("--logs") ?? "artifacts/bench-logs",
            args.Contains("--large"), args.Contains("--strict"), seconds("--warmup", 3), seconds("--duration", 10),
            Environment.GetEnvironmentVariable("BENCH_COMMAND") ?? "gmsa-bench " + string.Join(' ', args))
        {
            Sizes = Value("--sizes") is { } sizes ? [.. sizes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).Where(x => x > 0)]
                : args.Contains("--huge") ? [100, 1000, 10_000] : args.Contains("--large") ? [100, 1000, 5000] : [100, 1000],
            Huge = args.Contains("--huge"),
            HeapLimitMiB = Value("--heap-limit-mib") is { } limit ? int.Parse(limit, CultureInfo.InvariantCulture) : 192,
            OperatorEnvironment = (Value("--operator-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "", StringComparer.Ordinal),
            OpenLoopRate = Value("--rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : 1000,
            Parts = Value("--only") is { } only ? only.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) : new HashSet<string> { "admission", "memory", "startup" },
        };
    }
}

/// <summary>A one-line description of this machine (cores, memory, load average when the run started).</summary>
internal static class Machine
{
    public static string Describe()
    {
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        return $"{Environment.ProcessorCount} cores ({cpu}), {long.Parse(memKb, CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB RAM, " +
               $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {load} at start";
    }
}
