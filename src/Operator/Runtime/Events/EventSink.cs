using GmsaOperator.Runtime.Metrics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Events;

/// <summary>
/// Writes buffered events to events.k8s.io/v1. Repeats of the same event (same object, type, reason, action and note)
/// within the aggregation window update the existing event's series (count, lastObservedTime) instead of creating new ones.
/// </summary>
public sealed partial class EventSink(EventRecorder recorder, IKubernetes client, OperatorRuntimeOptions options, TimeProvider time, RuntimeMetrics metrics, ILogger<EventSink> logger)
    : BackgroundService
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(6);
    private string _clusterScopedNamespace = "default";
    private readonly Dictionary<string, (string Namespace, string Name, int Count, DateTimeOffset Last)> _series = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var pending in recorder.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await WriteAsync(pending, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    metrics.EventsDropped.WithLabels("api_error").Inc();
                    LogWriteFailed(e, pending.Reason, pending.Regarding.Kind, pending.Regarding.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var stale in _series.Where(s => now - s.Value.Last > Window).Select(s => s.Key).ToList()) _series.Remove(stale);
        var key = pending.AggregationKey;
        if (_series.TryGetValue(key, out var series))
        {
            var count = series.Count + 1;
            var body = new System.Text.Json.Nodes.JsonObject
            {
                ["series"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["count"] = count,
                    ["lastObservedTime"] = pending.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
                },
            };
            var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch);
            await client.EventsV1.PatchNamespacedEventAsync(patch, series.Name, series.Namespace, cancellationToken: cancellationToken);
            _series[key] = series with { Count = count, Last = now };
            return;
        }
        var clusterScoped = string.IsNullOrEmpty(pending.Regarding.NamespaceProperty);
        var ns = clusterScoped ? _clusterScopedNamespace : pending.Regarding.NamespaceProperty;
        var name = $"{pending.Regarding.Name}.{Guid.NewGuid().ToString("N")[..16]}";
        try
        {
            await CreateAsync(pending, name, ns, cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (clusterScoped && ns == "default" && (int)e.Response.StatusCode == 422)
        {
            // API servers before 1.21 accept events.k8s.io events about cluster-scoped objects only in kube-system
            // (kubernetes/kubernetes#100125 added default); remember and use that from now on.
            _clusterScopedNamespace = ns = "kube-system";
            await CreateAsync(pending, name, ns, cancellationToken);
        }
        _series[key] = (ns, name, 1, now);
    }

    private Task<Eventsv1Event> CreateAsync(PendingEvent pending, string name, string ns, CancellationToken cancellationToken) =>
        client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            EventTime = pending.At.UtcDateTime,
            Type = pending.Type,
            Reason = pending.Reason,
            Action = pending.Action,
            Note = pending.Note,
            Regarding = pending.Regarding,
            ReportingController = options.FieldManager,
            ReportingInstance = options.LeaderElection.Identity,
        }, ns, cancellationToken: cancellationToken);

    [LoggerMessage(LogLevel.Warning, "Could not write event {Reason} for {Kind} {Name}")]
    private partial void LogWriteFailed(Exception e, string reason, string kind, string name);
}
