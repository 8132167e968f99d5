using GmsaOperator.Runtime.Metrics;
using k8s.LeaderElection;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.LeaderElection;

/// <summary>
/// Campaigns for the Lease and runs a delegate only while leading: the delegate's token is cancelled when leadership is
/// lost (it then campaigns again) or on stop. On stop the delegate is awaited first and then the Lease is released.
/// While waiting, a release seen by <see cref="ILeaseReleaseWatcher"/> starts a new attempt at once: the replicas that
/// were already running take over from a leader that stops, ahead of a replacement pod that starts meanwhile.
/// </summary>
public sealed partial class LeaderElectionService(ILeaseLockFactory locks, LeaderElectionOptions options, RuntimeMetrics metrics, ILogger<LeaderElectionService> logger,
    LeaderElectionErrorLog? errors = null, ILeaseReleaseWatcher? releases = null)
{
    private volatile bool _leading;

    /// <summary>Our own flag (the elector's IsLeader() can lag behind OnStoppedLeading).</summary>
    public bool IsLeader => _leading;

    public string Identity => options.Identity;

    /// <summary>The holder this replica last saw in the Lease (set once it has campaigned); null before that.</summary>
    public string? ObservedLeader => Volatile.Read(ref _observedLeader);

    private string? _observedLeader;

    /// <summary>Runs until <paramref name="stop"/> is cancelled, calling <paramref name="whileLeading"/> for every term won.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken stop)
    {
        var @lock = locks.Create(options);
        var gauge = metrics.LeaderStatus.WithLabels(options.LeaseName);
        gauge.Set(0);
        while (!stop.IsCancellationRequested)
        {
            var config = new LeaderElectionConfig(@lock)
            {
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            };
            using var elector = new LeaderElector(config);
            // Cancelling the campaign abandons this elector while it waits (a release was seen); never once it leads.
            using var campaign = CancellationTokenSource.CreateLinkedTokenSource(stop);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var gate = new Lock();
            CancellationTokenSource? term = null;
            Task? work = null;
            var won = false;
            var released = false;
            // Handlers run on the elector's task: never block in them.
            elector.OnStartedLeading += () =>
            {
                lock (gate)
                {
                    // Abandoned just as it won: the next elector finds the Lease ours and renews it at once.
                    if (campaign.IsCancellationRequested) return;
                    won = true;
                }
                waiting.Cancel();
                term = new CancellationTokenSource();
                _leading = true;
                gauge.Set(1);
                LogStartedLeading(options.Identity, options.Namespace, options.LeaseName);
                var token = term.Token;
                work = Task.Run(() => whileLeading(token), CancellationToken.None);
            };
            elector.OnStoppedLeading += () =>
            {
                _leading = false;
                gauge.Set(0);
                term?.Cancel();
            };
            elector.OnNewLeader += leader =>
            {
                Volatile.Write(ref _observedLeader, leader);
                LogNewLeader(leader, options.Identity);
            };
            // API failures were reported by the lock (see ReportingLeaseLock); the elector also raises a Lease's 404,
            // which only means "not created yet".
            elector.OnError += e =>
            {
                if (e is not k8s.Autorest.HttpOperationException) ReportError("renew", e);
            };
            var watch = releases is null ? Task.CompletedTask : WatchForReleaseAsync(releases, waiting.Token, () =>
            {
                lock (gate)
                {
                    if (won) return;
                    released = true;
                    campaign.Cancel();
                }
            });
            try
            {
                await elector.RunUntilLeadershipLostAsync(campaign.Token);
            }
            catch (OperationCanceledException) when (campaign.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                ReportError("campaign", e);
            }
            await waiting.CancelAsync();
            await watch;
            _leading = false;
            gauge.Set(0);
            if (term is not null) await term.CancelAsync();
            if (work is not null)
            {
                try
                {
                    await work;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWorkFailed(e);
                }
                catch (OperationCanceledException)
                {
                }
            }
            term?.Dispose();
            if (won && !stop.IsCancellationRequested) LogLostLeadership(options.Identity);
            if (won && stop.IsCancellationRequested && options.ReleaseOnStop) await ReleaseAsync(@lock);
            if (released && !stop.IsCancellationRequested)
            {
                LogReleaseSeen(options.Namespace, options.LeaseName);
                continue;
            }
            if (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.RetryPeriod, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task WatchForReleaseAsync(ILeaseReleaseWatcher releases, CancellationToken waiting, Action onRelease)
    {
        try
        {
            await releases.WaitForReleaseAsync(options, waiting);
        }
        catch (OperationCanceledException) when (waiting.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            // Polling still finds the Lease; only the shortcut is lost for this campaign.
            ReportError("release watch", e);
            return;
        }
        onRelease();
    }

    private void ReportError(string operation, Exception e)
    {
        if (errors is not null) errors.Report(operation, e);
        else LogElectionError(e);
    }

    /// <summary>Empties the holder (client-go's ReleaseOnCancel) if we still hold the Lease.</summary>
    private async Task ReleaseAsync(ILock @lock)
    {
        using var cts = new CancellationTokenSource(options.RenewDeadline);
        try
        {
            var current = await @lock.GetAsync(cts.Token);
            if (current?.HolderIdentity != @lock.Identity) return;
            var now = DateTime.UtcNow;
            var released = await @lock.UpdateAsync(new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = current.LeaderTransitions,
            }, cts.Token);
            if (released) LogReleased(options.Namespace, options.LeaseName);
        }
        catch (Exception e)
        {
            LogReleaseFailed(e, options.Namespace, options.LeaseName);
        }
    }

    [LoggerMessage(LogLevel.Information, "{Identity} became leader (Lease {Namespace}/{Lease})")]
    private partial void LogStartedLeading(string identity, string @namespace, string lease);

    [LoggerMessage(LogLevel.Information, "Leader is now {Leader} (we are {Identity})")]
    private partial void LogNewLeader(string leader, string identity);

    [LoggerMessage(LogLevel.Warning, "{Identity} lost leadership; controllers stopped, campaigning again")]
    private partial void LogLostLeadership(string identity);

    [LoggerMessage(LogLevel.Warning, "Leader election error")]
    private partial void LogElectionError(Exception e);

    [LoggerMessage(LogLevel.Error, "Work run while leading failed")]
    private partial void LogWorkFailed(Exception e);

    [LoggerMessage(LogLevel.Information, "Lease {Namespace}/{Lease} was released by its holder; campaigning at once")]
    private partial void LogReleaseSeen(string @namespace, string lease);

    [LoggerMessage(LogLevel.Information, "Released Lease {Namespace}/{Lease}")]
    private partial void LogReleased(string @namespace, string lease);

    [LoggerMessage(LogLevel.Warning, "Could not release Lease {Namespace}/{Lease}")]
    private partial void LogReleaseFailed(Exception e, string @namespace, string lease);
}
