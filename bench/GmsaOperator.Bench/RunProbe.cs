namespace GmsaOperator.Bench;

/// <summary>
/// Where the time of one measured admission run went, read around exactly its measured part: CPU per process and the
/// machine's busy share (<see cref="CpuMeter"/>), the operator's GC pauses and collections and the SubjectAccessReviews
/// it sent (its /metrics before and after), and optionally its thread-pool queue sampled during the run.
/// </summary>
internal sealed class RunProbe(CpuMeter cpu, Func<CancellationToken, Task<string>> readMetrics, bool sampleThreadPool)
{
    public sealed record Result(CpuUsage Cpu, RuntimeStats? Runtime, ThreadPoolSampler.Result? ThreadPool);

    private RuntimeStats? _before;
    private CpuMeter.Snapshot? _cpu;
    private ThreadPoolSampler? _sampler;

    public Result? Measured { get; private set; }

    /// <summary>Right before the measured part: the operator's counters first, the CPU snapshot last.</summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        _before = RuntimeStats.From(await readMetrics(cancellationToken));
        if (sampleThreadPool) _sampler = new ThreadPoolSampler(readMetrics);
        _cpu = cpu.Read();
    }

    /// <summary>Right after the measured part: the CPU snapshot first.</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        var usage = cpu.Since(_cpu ?? throw new InvalidOperationException("EndAsync before BeginAsync"));
        var threadPool = _sampler is null ? null : await _sampler.StopAsync();
        var after = RuntimeStats.From(await readMetrics(cancellationToken));
        Measured = new Result(usage, after is not null && _before is not null ? after.Minus(_before) : null, threadPool);
    }
}
