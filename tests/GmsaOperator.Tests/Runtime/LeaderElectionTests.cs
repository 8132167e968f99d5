using System.Collections.Concurrent;
using GmsaOperator.Runtime.LeaderElection;
using GmsaOperator.Runtime.Metrics;
using k8s.LeaderElection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GmsaOperator.Tests.Runtime;

public sealed class LeaderElectionTests
{
    /// <summary>An in-memory lock, like the client's own tests use; can be told to refuse renewals (leadership lost).</summary>
    private sealed class InMemoryLock(string identity) : ILock
    {
        private readonly Lock _gate = new();
        private LeaderElectionRecord? _record;

        public string Identity => identity;
        public volatile bool RefuseUpdates;
        public ConcurrentQueue<string> Log { get; } = new();

        public LeaderElectionRecord? Record { get { lock (_gate) return _record is null ? null : Copy(_record); } }

        public int Reads;

        public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            lock (_gate) return Task.FromResult(_record is null ? null! : Copy(_record));
        }

        public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_record is not null) return Task.FromResult(false);
                _record = Copy(record);
                return Task.FromResult(true);
            }
        }

        public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (RefuseUpdates) return Task.FromResult(false);
                _record = Copy(record);
                Log.Enqueue($"update:{record.HolderIdentity}");
                return Task.FromResult(true);
            }
        }

        public void TakeOver(string other)
        {
            lock (_gate)
            {
                _record = new LeaderElectionRecord { HolderIdentity = other, LeaseDurationSeconds = 15, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow };
                RefuseUpdates = true;
            }
        }

        /// <summary>Another replica holds the Lease for a minute and renews it normally.</summary>
        public void HeldBy(string other)
        {
            lock (_gate) _record = new LeaderElectionRecord { HolderIdentity = other, LeaseDurationSeconds = 60, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow };
        }

        /// <summary>The holder stopped gracefully and emptied the Lease (what <see cref="LeaderElectionService"/> does on stop).</summary>
        public void Released()
        {
            lock (_gate) _record = new LeaderElectionRecord { HolderIdentity = "", LeaseDurationSeconds = 1, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow };
        }

        public string Describe() => "in-memory";

        private static LeaderElectionRecord Copy(LeaderElectionRecord r) => new()
        {
            HolderIdentity = r.HolderIdentity, LeaseDurationSeconds = r.LeaseDurationSeconds,
            AcquireTime = r.AcquireTime, RenewTime = r.RenewTime, LeaderTransitions = r.LeaderTransitions,
        };
    }

    private sealed class Factory(ILock l) : ILeaseLockFactory
    {
        public ILock Create(LeaderElectionOptions options) => l;
    }

    /// <summary>Stands in for the Lease watch: reports a release when the test says so.</summary>
    private sealed class SignalledReleases : ILeaseReleaseWatcher
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Waits;

        public async Task WaitForReleaseAsync(LeaderElectionOptions options, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Waits);
            await Volatile.Read(ref _next).Task.WaitAsync(cancellationToken);
        }

        public void Signal() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private static (LeaderElectionService Service, InMemoryLock Lock) Create(bool releaseOnStop = true, ILeaseReleaseWatcher? releases = null, TimeSpan? retryPeriod = null)
    {
        var options = new LeaderElectionOptions
        {
            Identity = "me",
            LeaseDuration = TimeSpan.FromMilliseconds(900),
            RenewDeadline = TimeSpan.FromMilliseconds(600),
            RetryPeriod = retryPeriod ?? TimeSpan.FromMilliseconds(100),
            ReleaseOnStop = releaseOnStop,
        };
        var l = new InMemoryLock("me");
        return (new LeaderElectionService(new Factory(l), options, new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()), NullLogger<LeaderElectionService>.Instance,
            releases: releases), l);
    }

    /// <summary>Work that runs until its leadership token is cancelled, logging start and stop.</summary>
    private static Func<CancellationToken, Task> Work(InMemoryLock l, TaskCompletionSource started, TaskCompletionSource stopped) => async ct =>
    {
        l.Log.Enqueue("work:start");
        started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        await Task.Delay(50, CancellationToken.None); // an in-flight reconcile finishing
        l.Log.Enqueue("work:stop");
        stopped.TrySetResult();
    };

    [Test]
    public async Task WorkStopsWhenLeadershipIsLost()
    {
        var (service, l) = Create();
        var started = new TaskCompletionSource();
        var stopped = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var run = service.RunAsync(Work(l, started, stopped), stop.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(service.IsLeader, Is.True);

        l.TakeOver("someone-else");

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(service.IsLeader, Is.False);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(l.Record!.HolderIdentity, Is.EqualTo("someone-else"), "a lost lease is not 'released' over the new holder");
    }

    [Test]
    public async Task LeaseIsReleasedOnStopAfterWorkFinished()
    {
        var (service, l) = Create();
        var started = new TaskCompletionSource();
        var stopped = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var run = service.RunAsync(Work(l, started, stopped), stop.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(l.Record!.HolderIdentity, Is.Empty);
        var log = l.Log.ToList();
        Assert.That(log.IndexOf("work:stop"), Is.LessThan(log.LastIndexOf("update:")), "release comes after the work drained");
        Assert.That(service.IsLeader, Is.False);
    }

    [Test]
    public async Task LeaseIsKeptWhenReleaseOnStopIsOff()
    {
        var (service, l) = Create(releaseOnStop: false);
        var started = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var run = service.RunAsync(Work(l, started, new TaskCompletionSource()), stop.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(l.Record!.HolderIdentity, Is.EqualTo("me"));
    }

    [Test]
    public async Task WaitingReplica_TakesAReleasedLeaseAtOnce_NotAtItsNextPoll()
    {
        // Polling alone would try again only after a minute: leading within seconds can only come from the release signal.
        var releases = new SignalledReleases();
        var (service, l) = Create(releases: releases, retryPeriod: TimeSpan.FromMinutes(1));
        l.HeldBy("other");
        var started = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var run = service.RunAsync(Work(l, started, new TaskCompletionSource()), stop.Token);
        await Eventually.TrueAsync(() => Volatile.Read(ref l.Reads) >= 1 && Volatile.Read(ref releases.Waits) >= 1, "a first, failed attempt while watching for a release",
            TimeSpan.FromSeconds(10));
        Assert.That(service.IsLeader, Is.False);

        l.Released();
        releases.Signal();

        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(service.IsLeader, Is.True);
        Assert.That(l.Record!.HolderIdentity, Is.EqualTo("me"));
        // Once leading, the watch is no longer consulted, so a late signal cannot abandon a term.
        releases.Signal();
        Assert.That(l.Log.Count(e => e == "work:start"), Is.EqualTo(1));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
