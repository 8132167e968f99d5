using GmsaOperator.Runtime.Events;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// Injects caBundles and tells a repair from a first injection: injecting again the very bundle this process injected
/// last means someone changed it. Repairs are reported as Warning events on the object; a writer that keeps
/// overwriting it is named (from managedFields) and repairs of that object back off (<see cref="CaBundleCorrections"/>).
/// </summary>
public sealed partial class CaBundleRepairs(IKubernetes client, CertificateSettings settings, CertificateMetrics metrics, TimeProvider time,
    ILogger<CaBundleRepairs> logger, IEventRecorder? events = null)
{
    private readonly Dictionary<string, string> _lastInjected = new(StringComparer.Ordinal);
    private readonly CaBundleCorrections _corrections = new();
    private readonly Lock _lock = new();

    /// <summary>Drops injections into objects whose repairs are backing off; <paramref name="deferredUntil"/> is when to look again.</summary>
    public IReadOnlyList<CertificateAction> WithoutDeferred(IReadOnlyList<CertificateAction> actions, DateTimeOffset now, out DateTimeOffset? deferredUntil)
    {
        DateTimeOffset? until = null;
        List<CertificateAction> kept;
        lock (_lock)
        {
            kept = actions.Where(a =>
            {
                if (a is not InjectCaBundle inject || _corrections.BackoffUntil(inject.Key, now) is not { } backoff) return true;
                until = until is { } d && d < backoff ? d : backoff;
                return false;
            }).ToList();
        }
        deferredUntil = until;
        return kept;
    }

    /// <summary>Applies <paramref name="bundle"/> (already confirmed as published); returns the object's resourceVersion afterwards.</summary>
    public async Task<string?> InjectAsync(InjectCaBundle inject, TrustBundle bundle, CancellationToken ct)
    {
        var fingerprints = string.Join(",", bundle.Fingerprints.Order(StringComparer.Ordinal));
        bool tampered;
        lock (_lock) tampered = _lastInjected.TryGetValue(inject.Key, out var previous) && previous == fingerprints;
        // Read before our forced apply takes the field back: the managedFields still name the other writer.
        var before = tampered ? await CaBundleInjector.ReadAsync(client, inject, ct).ConfigureAwait(false) : null;
        var written = await CaBundleInjector.ApplyAsync(client, inject, bundle, settings.CaBundleFieldManager, ct).ConfigureAwait(false);
        lock (_lock) _lastInjected[inject.Key] = fingerprints;
        metrics.CaBundleCorrections.WithLabels(inject.Key, tampered ? "true" : "false").Inc();
        if (tampered) ReportRepaired(inject, bundle, before);
        else LogInjected(logger, inject.Kind, inject.Name, bundle.Certificates.Count, inject.Reason);
        return written;
    }

    /// <summary>Warning event on the repaired object; past the threshold, names the competing writer and starts a backoff.</summary>
    private void ReportRepaired(InjectCaBundle inject, TrustBundle bundle, IKubernetesObject<V1ObjectMeta>? observed)
    {
        var competitor = CaBundleCorrections.CompetingFieldManager(observed?.Metadata.ManagedFields, settings.CaBundleFieldManager) ?? "unknown";
        TimeSpan? backoff;
        int count;
        lock (_lock) backoff = _corrections.Record(inject.Key, time.GetUtcNow(), out count);
        LogTamperRepaired(logger, inject.Kind, inject.Name, competitor);
        if (observed is null || events is null) return;
        events.Record(observed, EventTypes.Warning, "CaBundleRepaired", "InjectCaBundle",
            $"caBundle was changed by field manager {competitor}; restored the operator's trust bundle ({bundle.Certificates.Count} CA(s))");
        if (backoff is { } b)
        {
            LogCaBundleFight(logger, inject.Kind, inject.Name, count, CaBundleCorrections.Window, competitor, b);
            events.Record(observed, EventTypes.Warning, "CaBundleConflict", "InjectCaBundle",
                $"caBundle corrected {count} times in {CaBundleCorrections.Window.TotalMinutes:0} min; field manager {competitor} keeps overwriting it; next repair in {b.TotalSeconds:0} s");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "caBundle injected into {Kind}WebhookConfiguration {Name} ({Count} CA(s)): {Reason}")]
    private static partial void LogInjected(ILogger logger, WebhookConfigurationKind kind, string name, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "caBundle of {Kind}WebhookConfiguration {Name} was changed by field manager {Competitor}; repaired")]
    private static partial void LogTamperRepaired(ILogger logger, WebhookConfigurationKind kind, string name, string competitor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "caBundle of {Kind}WebhookConfiguration {Name} corrected {Count} times in {Window}, field manager {Competitor} keeps overwriting it; backing off {Backoff}")]
    private static partial void LogCaBundleFight(ILogger logger, WebhookConfigurationKind kind, string name, int count, TimeSpan window, string competitor, TimeSpan backoff);
}
