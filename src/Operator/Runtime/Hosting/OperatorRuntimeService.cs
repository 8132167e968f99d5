using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Health;
using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.LeaderElection;
using GmsaOperator.Runtime.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Hosting;

/// <summary>
/// The runtime's lifecycle: informers run on every replica (caches serve webhooks and readiness); controllers run only
/// while this replica leads, except those declared <c>OnEveryReplica</c>, which run from start. Stop: controllers stop taking keys and drain (bounded), the Lease is released, informers stop.
/// Controllers begin to stop as soon as the application is stopping, before other services' shutdown hooks (a webhook
/// server that keeps serving for a while) have run: the caches stay, and another replica can lead meanwhile.
/// </summary>
public sealed partial class OperatorRuntimeService(
    InformerRegistry informers,
    ControllerManager controllers,
    LeaderElectionService leaderElection,
    OperatorRuntimeOptions options,
    RuntimeState state,
    RuntimeMetrics metrics,
    IHostApplicationLifetime lifetime,
    IEnumerable<CachedKind> cachedKinds,
    TimeProvider time,
    ILogger<OperatorRuntimeService> logger) : IHostedService, IDisposable
{
    private CancellationTokenRegistration _onStopping;
    private readonly CancellationTokenSource _stopControllers = new();
    private readonly CancellationTokenSource _stopInformers = new();
    private Task _controllersLoop = Task.CompletedTask;
    private Timer? _syncGauge;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        controllers.Prepare();
        state.Served = DeclareServed(informers, cachedKinds, controllers.Definitions);
        informers.StartAll(_stopInformers.Token, first: state.Served, headStart: options.Informers.ServedHeadStart);
        state.InformersStarted = true;
        _syncGauge = new Timer(_ =>
        {
            foreach (var informer in informers.All) metrics.InformerSynced.WithLabels(informer.Description).Set(informer.HasSynced ? 1 : 0);
        }, null, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        _controllersLoop = options.LeaderElection.Enabled
            ? Task.WhenAll(
                Task.Run(() => controllers.RunEveryReplicaAsync(_stopControllers.Token), CancellationToken.None),
                Task.Run(() => leaderElection.RunAsync(controllers.RunLeaderOnlyAsync, _stopControllers.Token), CancellationToken.None))
            : Task.Run(() => controllers.RunAsync(_stopControllers.Token), CancellationToken.None);
        _ = GiveMemoryBackAsync(_stopInformers.Token);
        // ApplicationStopping fires before any StoppingAsync/StopAsync; the callback must not block the host.
        _onStopping = lifetime.ApplicationStopping.Register(() => _ = _stopControllers.CancelAsync());
        LogStarted(controllers.Definitions.Count, informers.All.Count, options.LeaderElection.Enabled ? options.LeaderElection.Identity : "(leader election off)");
        return Task.CompletedTask;
    }

    /// <summary>The caches that list first and gate readiness: cached kinds, and the watches of controllers that list first.</summary>
    internal static IReadOnlyList<IInformer> DeclareServed(InformerRegistry informers, IEnumerable<CachedKind> cachedKinds, IEnumerable<ControllerDefinition> definitions) =>
        [.. cachedKinds.Select(kind => kind.Declare(informers))
            .Concat(definitions.Where(d => d.ListsFirst).SelectMany(d => d.WatchedInformers(informers)))
            .Distinct()];

    // The first lists fill the caches all at once: everything decoded survives and is promoted, leaving the older
    // generations sparse. One compacting collection once every cache is filled packs them and hands the rest back to the
    // OS instead of carrying it for the life of the process. The same goes for the executable's pages that only
    // startup read; what the rest of startup touches after that is handed back once it has settled, and later whenever
    // the process is quiet.
    private async Task GiveMemoryBackAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(informers.All.Select(i => i.WaitForSyncAsync(cancellationToken)));
            var pages = Compact(options.ReleaseStartupPages);
            if (pages)
            {
                await Task.Delay(options.StartupSettleTime, time, cancellationToken);
                pages = ReleaseStartupPages() is not null;
            }
            await new Memory.MemoryTrimmer(time, options.BurstTrimCheckInterval, options.IdleTrimInterval, Memory.MemoryTrimPolicy.Default,
                () => GC.GetTotalAllocatedBytes(), () => pages = Compact(pages)).RunAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A compacting collection that decommits what it frees, then the executable's pages if <paramref name="pages"/>; returns whether those can be released again.</summary>
    private bool Compact(bool pages)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return pages && ReleaseStartupPages() is not null;
    }

    private long? ReleaseStartupPages()
    {
        try
        {
            var released = Memory.ExecutablePages.ReleaseOwnExecutable();
            if (released is { } bytes) LogPagesReleased(bytes / (1024 * 1024));
            else LogPagesNotReleased();
            return released;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            LogPagesNotReleased();
            return null;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        state.Stopping = true;
        await _stopControllers.CancelAsync();
        try
        {
            // Controllers drain within DrainTimeout, then the Lease is released (see LeaderElectionService).
            await _controllersLoop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogShutdownTimedOut();
        }
        await _stopInformers.CancelAsync();
        try
        {
            await informers.WhenStoppedAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        LogStopped();
    }

    public void Dispose()
    {
        _onStopping.Dispose();
        _syncGauge?.Dispose();
        _stopControllers.Dispose();
        _stopInformers.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "Operator runtime started: {Controllers} controllers, {Informers} informers, identity {Identity}")]
    private partial void LogStarted(int controllers, int informers, string identity);

    [LoggerMessage(LogLevel.Warning, "Shutdown timeout reached before controllers finished draining")]
    private partial void LogShutdownTimedOut();

    [LoggerMessage(LogLevel.Debug, "Advised the kernel to reclaim the executable's resident pages ({MiB} MiB of read-only mappings)")]
    private partial void LogPagesReleased(long miB);

    [LoggerMessage(LogLevel.Debug, "The kernel cannot reclaim the executable's pages on request (madvise MADV_PAGEOUT needs Linux 5.4+)")]
    private partial void LogPagesNotReleased();

    [LoggerMessage(LogLevel.Information, "Operator runtime stopped")]
    private partial void LogStopped();
}
