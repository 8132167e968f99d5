using GmsaOperator.Entities.Rbac;
using GmsaOperator.Runtime;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GmsaOperator.Webhooks;

namespace GmsaOperator.Operator.Hosting.Shutdown;

/// <summary>
/// Rolling updates without failed admissions: the webhooks are failurePolicy Fail, so a replica that closes its port
/// while the Service still routes to it fails pod creations. On stop this first fails /readyz, then keeps serving until
/// the pod is gone from the webhook Service's Endpoints (plus a settle delay), bounded by the drain timeout; only then
/// does the host stop Kestrel. That order holds because the host runs every <see cref="IHostedLifecycleService.StoppingAsync"/>
/// before any hosted service's StopAsync, Kestrel's (GenericWebHostService) included.
/// </summary>
[RequiresPermission("", "endpoints", "get", "list", "watch", Scope = PermissionScope.OperatorNamespace,
    ResourceNames = [Entities.Deployment.OperatorDeployment.WebhookServiceName], Reason = "on shutdown, wait until this pod left the webhook Service's Endpoints (list/watch with a metadata.name field selector)")]
public sealed partial class WebhookDrainService(IKubernetes client, ShutdownState state, IOptions<ShutdownOptions> options,
    IOptions<WebhookOptions> webhooks, ITcpSocketTable sockets, TimeProvider time, ILogger<WebhookDrainService> logger)
    : IHostedLifecycleService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LingerPoll = TimeSpan.FromMilliseconds(100);
    private long _stopRequested;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopRequested = time.GetTimestamp();
        state.BeginDraining();
        var o = options.Value;
        if (o.PodName is not { Length: > 0 } pod)
        {
            LogNotInPod(o.OutsidePodDelay.TotalSeconds);
            await DelayAsync(o.OutsidePodDelay, cancellationToken).ConfigureAwait(false);
            return;
        }

        LogReadinessDropped(pod, o.PodNamespace, o.ServiceName, o.DrainTimeout.TotalSeconds);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(o.DrainTimeout);
        try
        {
            await WaitUntilRemovedAsync(o, pod, drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            LogDrainTimedOut(pod, o.PodNamespace, o.ServiceName, Elapsed());
            return;
        }
        // The drain timeout bounds the settle delay too, so the stop always fits the grace period.
        var left = o.DrainTimeout - time.GetElapsedTime(_stopRequested);
        var settle = o.SettleDelay < left ? o.SettleDelay : left;
        LogRemoved(pod, o.PodNamespace, o.ServiceName, Elapsed(), Math.Max(0, settle.TotalSeconds));
        await DelayAsync(settle, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // After every StopAsync: Kestrel has finished its in-flight requests and closed its connections.
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        LogServerStopped(Elapsed());
        var o = options.Value;
        if (o.PodName is null || o.LingerTimeout <= TimeSpan.Zero) return;
        try
        {
            await LingerAsync(webhooks.Value.Port, o.LingerTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout wins over the linger.
        }
    }

    /// <summary>Stays up while callers still hold connections the server closed, so none is left writing into a vanished pod.</summary>
    private async Task LingerAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        List<TcpSocket> held;
        IReadOnlyList<TcpSocket> all;
        try
        {
            all = sockets.Read();
            held = Held(all, port);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSocketTableUnreadable(e.Message);
            return;
        }
        if (held.Count == 0)
        {
            LogNoneHeld(port, all.Count(s => s.Local.Port == port && s.State == TcpSocketState.TimeWait), all.Count);
            return;
        }
        LogLingering(held.Count, port, timeout.TotalSeconds);
        while (held.Count > 0 && time.GetElapsedTime(started) < timeout)
        {
            await DelayAsync(LingerPoll, cancellationToken).ConfigureAwait(false);
            held = Held(sockets.Read(), port);
        }
        var waited = Math.Round(time.GetElapsedTime(started).TotalSeconds, 1);
        if (held.Count == 0) LogCallersClosed(port, waited);
        else LogCallersStillHold(held.Count, port, waited, string.Join(", ", held.Select(s => $"{s.Remote} {s.State}")));
    }

    private static List<TcpSocket> Held(IEnumerable<TcpSocket> all, int port) => [.. all.Where(s => s.Local.Port == port && s.PeerHoldsIt)];

    /// <summary>Lists the Service's Endpoints and watches them from there until this pod is no longer a ready address.</summary>
    private async Task WaitUntilRemovedAsync(ShutdownOptions o, string pod, CancellationToken cancellationToken)
    {
        var selector = $"metadata.name={o.ServiceName}";
        var reported = false;
        while (true)
        {
            try
            {
                var list = await client.CoreV1.ListNamespacedEndpointsAsync(o.PodNamespace, fieldSelector: selector, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!EndpointMembership.IsServing(list.Items.FirstOrDefault(), pod, o.PodNamespace)) return;
                await foreach (var (type, endpoints) in client.CoreV1.WatchListNamespacedEndpointsAsync(o.PodNamespace, fieldSelector: selector,
                                   resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 60, onError: e => throw e, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    if (type == WatchEventType.Deleted || !EndpointMembership.IsServing(endpoints, pod, o.PodNamespace)) return;
                }
                // The watch ended (timeout, expired resource version): list again.
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Without an answer the pod may still receive requests: keep serving and keep asking until the drain timeout.
                if (!reported) LogWatchFailed(o.PodNamespace, o.ServiceName, ApiError.From(e).ToString());
                reported = true;
                await DelayAsync(RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, time, cancellationToken) : Task.CompletedTask;

    private double Elapsed() => Math.Round(time.GetElapsedTime(_stopRequested).TotalSeconds, 1);

    [LoggerMessage(LogLevel.Information, "Shutdown: readiness dropped (/readyz 503); serving webhooks until pod {Pod} leaves Endpoints {Namespace}/{Service} (at most {TimeoutSeconds} s)")]
    private partial void LogReadinessDropped(string pod, string @namespace, string service, double timeoutSeconds);

    [LoggerMessage(LogLevel.Information, "Shutdown: readiness dropped (/readyz 503); not in a pod (no POD_NAME), stopping the server after {DelaySeconds} s")]
    private partial void LogNotInPod(double delaySeconds);

    [LoggerMessage(LogLevel.Information, "Shutdown: pod {Pod} removed from Endpoints {Namespace}/{Service} after {Seconds} s; serving {SettleSeconds} s more for kube-proxy and the API server to catch up")]
    private partial void LogRemoved(string pod, string @namespace, string service, double seconds, double settleSeconds);

    [LoggerMessage(LogLevel.Warning, "Shutdown: drain timeout, pod {Pod} still in Endpoints {Namespace}/{Service} after {Seconds} s; stopping the server anyway")]
    private partial void LogDrainTimedOut(string pod, string @namespace, string service, double seconds);

    [LoggerMessage(LogLevel.Warning, "Shutdown: cannot watch Endpoints {Namespace}/{Service} ({Error}); retrying until the drain timeout")]
    private partial void LogWatchFailed(string @namespace, string service, string error);

    [LoggerMessage(LogLevel.Information, "Shutdown: server stopped {Seconds} s after the stop request")]
    private partial void LogServerStopped(double seconds);

    [LoggerMessage(LogLevel.Information, "Shutdown: no caller holds a connection to port {Port} ({Closed} closed by both sides in TIME_WAIT; {Total} TCP sockets in this network namespace)")]
    private partial void LogNoneHeld(int port, int closed, int total);

    [LoggerMessage(LogLevel.Warning, "Shutdown: cannot read this network namespace's TCP sockets ({Error}); exiting without waiting for callers to close their connections")]
    private partial void LogSocketTableUnreadable(string error);

    [LoggerMessage(LogLevel.Information, "Shutdown: {Count} caller connection(s) to port {Port} not closed by the caller yet; staying up at most {TimeoutSeconds} s")]
    private partial void LogLingering(int count, int port, double timeoutSeconds);

    [LoggerMessage(LogLevel.Information, "Shutdown: callers closed every connection to port {Port} after {Seconds} s")]
    private partial void LogCallersClosed(int port, double seconds);

    [LoggerMessage(LogLevel.Warning, "Shutdown: {Count} caller connection(s) to port {Port} still open after {Seconds} s, exiting anyway: {Connections}")]
    private partial void LogCallersStillHold(int count, int port, double seconds, string connections);
}
