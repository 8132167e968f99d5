using k8s;

namespace GmsaOperator.Runtime.LeaderElection;

/// <summary>
/// Tells a waiting replica the moment the Lease is released (its holder emptied by a leader stopping gracefully), so
/// it takes over at once instead of at its next poll, a RetryPeriod later — by which time a replacement pod that has
/// just started may have taken it. Only a speed-up: when it sees nothing (watch gap, API error), polling still works.
/// </summary>
public interface ILeaseReleaseWatcher
{
    /// <summary>Completes when a change emptying the Lease's holder is observed after the call began.</summary>
    Task WaitForReleaseAsync(LeaderElectionOptions options, CancellationToken cancellationToken);
}

/// <summary>A watch on the one Lease (field selector on its name), restarted when the API server ends it.</summary>
public sealed class LeaseReleaseWatcher(IKubernetes client, TimeProvider time) : ILeaseReleaseWatcher
{
    private int _listed;

    /// <summary>How many times the Lease was listed to start a watch: from then on, a release is seen.</summary>
    public int WatchesStarted => Volatile.Read(ref _listed);

    public async Task WaitForReleaseAsync(LeaderElectionOptions options, CancellationToken cancellationToken)
    {
        var selector = $"metadata.name={options.LeaseName}";
        var backoff = new Informers.WatchBackoff(TimeSpan.FromMilliseconds(500), options.RetryPeriod * 5, TimeSpan.FromMinutes(1), time);
        while (true)
        {
            try
            {
                // Watching from the list's resourceVersion misses no change in between; the list itself is not a
                // change (a Lease found empty now is taken by the campaign's own next attempt).
                var started = time.GetTimestamp();
                var list = await client.CoordinationV1.ListNamespacedLeaseAsync(options.Namespace, fieldSelector: selector, cancellationToken: cancellationToken);
                Interlocked.Increment(ref _listed);
                Exception? watchError = null;
                var events = client.CoordinationV1.WatchListNamespacedLeaseAsync(options.Namespace, fieldSelector: selector,
                    resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 300, onError: e => watchError = e, cancellationToken: cancellationToken);
                await foreach (var (type, lease) in events.WithCancellation(cancellationToken))
                {
                    if (type == WatchEventType.Modified && string.IsNullOrEmpty(lease.Spec?.HolderIdentity)) return;
                }
                if (watchError is not null) throw watchError;
                // A watch ended by its timeout starts over at once; one the server keeps ending early backs off.
                if (time.GetElapsedTime(started) < TimeSpan.FromSeconds(1)) await Task.Delay(backoff.Next(), time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception)
            {
                // The lock reports API failures where they matter (the campaign's own calls); here they only cost speed.
                await Task.Delay(backoff.Next(), time, cancellationToken);
            }
        }
    }
}
