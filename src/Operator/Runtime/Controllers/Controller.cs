using System.Diagnostics;
using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.Metrics;
using GmsaOperator.Runtime.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>
/// Runs one controller for one leadership term (or, for one that runs on every replica, for the process): subscribes its watches to a fresh work queue, waits for the caches, then
/// runs its workers until stopped; on stop the queue stops handing out keys and in-flight reconciles get the drain timeout.
/// </summary>
public sealed partial class Controller(
    ControllerDefinition definition,
    InformerRegistry informers,
    IServiceScopeFactory scopes,
    RuntimeMetrics metrics,
    TimeProvider time,
    TimeSpan drainTimeout,
    ILogger logger,
    IRateLimiter? rateLimiter = null)
{
    public string Name => definition.Name;

    /// <summary>The queue of the current term (null when not running); exposed for tests and diagnostics.</summary>
    public WorkQueue? Queue { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        using var queue = new WorkQueue(rateLimiter ?? MaxOfRateLimiter.Default(time), time, metrics.ForQueue(Name));
        Queue = queue;
        var subscriptions = new List<IDisposable>();
        using var reconcileCts = new CancellationTokenSource();
        Task[] workers = [];
        try
        {
            foreach (var source in definition.Sources)
            {
                if (source.Subscribe(informers, key => queue.Add(key)) is { } subscription) subscriptions.Add(subscription);
            }
            await Task.WhenAll(definition.Sources.Select(s => s.Informer(informers).WaitForSyncAsync(stop)));
            if (definition.QueueKeysAtStart)
            {
                foreach (var key in definition.PrimaryKeys(informers)) queue.Add(key);
            }
            LogStarted(Name, definition.Workers);
            metrics.MaxConcurrentReconciles.WithLabels(Name).Set(definition.Workers);
            using var resync = time.CreateTimer(_ =>
            {
                foreach (var key in definition.PrimaryKeys(informers)) queue.Add(key);
            }, null, definition.ResyncPeriod, definition.ResyncPeriod);
            workers = [.. Enumerable.Range(0, definition.Workers).Select(_ => Task.Run(() => WorkAsync(queue, reconcileCts.Token), CancellationToken.None))];
            await Task.Delay(Timeout.InfiniteTimeSpan, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var subscription in subscriptions) subscription.Dispose();
            queue.ShutDown();
            reconcileCts.CancelAfter(drainTimeout);
            await Task.WhenAll(workers);
            Queue = null;
            LogStopped(Name);
        }
    }

    private async Task WorkAsync(WorkQueue queue, CancellationToken reconcileToken)
    {
        while (await queue.GetAsync(CancellationToken.None) is { } key)
        {
            var started = Stopwatch.GetTimestamp();
            metrics.ActiveWorkers.WithLabels(Name).Inc();
            using var scope = logger.BeginScope(new Dictionary<string, object?> { ["controller"] = Name, ["key"] = key.ToString(), ["namespace"] = key.Namespace, ["name"] = key.Name });
            try
            {
                await using var services = scopes.CreateAsyncScope();
                var reconciler = (IReconciler)services.ServiceProvider.GetRequiredService(definition.ReconcilerType);
                var result = await reconciler.ReconcileAsync(key, reconcileToken);
                if (result.RequeueAfter is { } after)
                {
                    queue.Forget(key);
                    queue.AddAfter(key, after);
                    metrics.ReconcileTotal.WithLabels(Name, "requeue_after").Inc();
                }
                else if (result.RequeueWithBackoff)
                {
                    queue.AddRateLimited(key);
                    metrics.ReconcileTotal.WithLabels(Name, "requeue").Inc();
                }
                else
                {
                    queue.Forget(key);
                    metrics.ReconcileTotal.WithLabels(Name, "success").Inc();
                }
            }
            catch (OperationCanceledException) when (reconcileToken.IsCancellationRequested)
            {
                LogDrainCancelled(Name, key);
            }
            catch (Exception e)
            {
                metrics.ReconcileErrors.WithLabels(Name).Inc();
                metrics.ReconcileTotal.WithLabels(Name, "error").Inc();
                LogReconcileFailed(e, Name, key, queue.Retries(key) + 1);
                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
                metrics.ReconcileTime.WithLabels(Name).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                metrics.ActiveWorkers.WithLabels(Name).Dec();
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Controller {Controller} started with {Workers} workers")]
    private partial void LogStarted(string controller, int workers);

    [LoggerMessage(LogLevel.Information, "Controller {Controller} stopped")]
    private partial void LogStopped(string controller);

    [LoggerMessage(LogLevel.Error, "Reconcile of {Key} by {Controller} failed (attempt {Attempt}); retrying with backoff")]
    private partial void LogReconcileFailed(Exception e, string controller, ObjectKey key, int attempt);

    [LoggerMessage(LogLevel.Warning, "Reconcile of {Key} by {Controller} cancelled: drain timeout reached")]
    private partial void LogDrainCancelled(string controller, ObjectKey key);
}
