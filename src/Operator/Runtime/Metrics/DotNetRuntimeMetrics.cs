using Prometheus;

namespace GmsaOperator.Runtime.Metrics;

/// <summary>
/// Garbage collector and thread pool, read when /metrics is scraped: <c>dotnet_gc_pause_seconds_total</c>,
/// <c>dotnet_gc_collections_total{generation}</c>, <c>dotnet_gc_allocated_bytes_total</c>, <c>dotnet_threadpool_queue_length</c> and
/// <c>dotnet_threadpool_threads</c>, and the heap after the last collection (<c>dotnet_gc_heap_size_bytes</c>,
/// <c>dotnet_gc_fragmented_bytes</c>, <c>dotnet_gc_committed_bytes</c>, <c>dotnet_gc_heap_limit_bytes</c>,
/// <c>dotnet_gc_generation_size_bytes{generation}</c>), and the gen0 budget the collector settled on at startup
/// (<c>dotnet_gc_gen0_max_budget_bytes</c>). Plain runtime calls, no event listeners or reflection, so they work the same under
/// NativeAOT (prometheus-net's own .NET collectors are not registered on the operator's custom registry).
/// </summary>
public static class DotNetRuntimeMetrics
{
    public const string GcPause = "dotnet_gc_pause_seconds_total";
    public const string GcCollections = "dotnet_gc_collections_total";
    public const string GcAllocated = "dotnet_gc_allocated_bytes_total";
    public const string ThreadPoolQueueLength = "dotnet_threadpool_queue_length";
    public const string ThreadPoolThreads = "dotnet_threadpool_threads";
    public const string GcHeapSize = "dotnet_gc_heap_size_bytes";
    public const string GcFragmented = "dotnet_gc_fragmented_bytes";
    public const string GcCommitted = "dotnet_gc_committed_bytes";
    public const string GcHeapLimit = "dotnet_gc_heap_limit_bytes";
    public const string GcGenerationSize = "dotnet_gc_generation_size_bytes";
    public const string GcGen0MaxBudget = "dotnet_gc_gen0_max_budget_bytes";

    /// <summary>The collector's name for its largest gen0 budget in <see cref="GC.GetConfigurationVariables"/>: the value it computed
    /// at startup, the configured one if that was read.</summary>
    private const string Gen0MaxBudgetSetting = "GCGen0MaxBudget";

    /// <summary>The labels of <see cref="GcGenerationSize"/>, in the order of <see cref="GCMemoryInfo.GenerationInfo"/>.</summary>
    public static IReadOnlyList<string> GenerationNames { get; } = ["0", "1", "2", "loh", "poh"];

    public static void Register(CollectorRegistry registry)
    {
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        var pause = f.CreateCounter(GcPause, "Total time the garbage collector has paused the process since it started.");
        var collections = f.CreateCounter(GcCollections, "Garbage collections since the process started, by generation (a gen 2 collection also counts in 0 and 1).", "generation");
        // What drives gen0 collections (and so most pauses): allocation per request is this counter's rate over the request rate.
        var allocated = f.CreateCounter(GcAllocated, "Bytes allocated on the managed heap since the process started.");
        var queue = f.CreateGauge(ThreadPoolQueueLength, "Work items queued to the thread pool and not started yet.");
        var threads = f.CreateGauge(ThreadPoolThreads, "Thread-pool threads that currently exist.");
        var heap = f.CreateGauge(GcHeapSize, "Managed heap size after the last garbage collection (live objects and fragmentation).");
        var fragmented = f.CreateGauge(GcFragmented, "Free space inside the managed heap after the last garbage collection.");
        var committed = f.CreateGauge(GcCommitted, "Memory the garbage collector has committed (part of the process's RSS).");
        var limit = f.CreateGauge(GcHeapLimit, "The most the garbage collector may use: the heap hard limit (75 % of a container's memory limit by default), else physical memory.");
        // Which generation holds the heap tells a growing one apart: gen1 waiting for its budget, or large and pinned
        // objects that only a full collection frees.
        var generationSize = f.CreateGauge(GcGenerationSize, "Size of each generation (0, 1, 2, loh, poh) after the last garbage collection, free space included.", "generation");
        // The budget is what the process fills with garbage between collections, all of it resident: the figure that says
        // whether the executable's GC settings were read at all (the runtime matches their names case-sensitively).
        var gen0MaxBudget = f.CreateGauge(GcGen0MaxBudget, "The largest gen0 allocation budget the garbage collector uses, fixed at startup.");
        if (Gen0MaxBudgetBytes() is { } budget) gen0MaxBudget.Set(budget);
        var sizes = GenerationNames.Select(name => generationSize.WithLabels(name)).ToArray();
        var generations = Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => (Generation: g, Counter: collections.WithLabels(g.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToArray();
        registry.AddBeforeCollectCallback(() =>
        {
            pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
            foreach (var (generation, counter) in generations) counter.IncTo(GC.CollectionCount(generation));
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            queue.Set(ThreadPool.PendingWorkItemCount);
            threads.Set(ThreadPool.ThreadCount);
            var info = GC.GetGCMemoryInfo();
            heap.Set(info.HeapSizeBytes);
            fragmented.Set(info.FragmentedBytes);
            committed.Set(info.TotalCommittedBytes);
            limit.Set(info.TotalAvailableMemoryBytes);
            var perGeneration = info.GenerationInfo;
            for (var g = 0; g < sizes.Length && g < perGeneration.Length; g++) sizes[g].Set(perGeneration[g].SizeAfterBytes);
        });
    }

    /// <summary>The largest gen0 budget the collector reports, or null when it does not report one.</summary>
    public static long? Gen0MaxBudgetBytes() =>
        GC.GetConfigurationVariables().TryGetValue(Gen0MaxBudgetSetting, out var value) && value is long bytes ? bytes : null;
}
