using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;
using GmsaOperator.Runtime.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// The I/O shell around <see cref="RotationPlanner"/>: watches the two Secrets and the managed webhook configurations,
/// reads them live, plans, writes (Create → AlreadyExists adopts; Replace with resourceVersion → Conflict re-reads and
/// re-decides), injects caBundles by server-side apply and feeds the serving store. Runs on every replica; the leader
/// acts on every decision, non-leaders only on urgent ones after jitter or on actions overdue for a stuck leader.
/// Repairs of tampered caBundles are reported as Warning events; a writer that keeps overwriting one is named
/// (from managedFields) and repairs of that object back off (<see cref="CaBundleCorrections"/>).
/// </summary>
/// <remarks>Names follow <see cref="CertificateSettings"/>; the declared names are the defaults (prefix <c>gmsa-operator</c>).</remarks>
[RequiresPermission("", "secrets", "create", Scope = PermissionScope.OperatorNamespace, Reason = "create cannot be restricted by name")]
[RequiresPermission("", "secrets", "get", "list", "watch", "update", Scope = PermissionScope.OperatorNamespace,
    ResourceNames = [OperatorDeployment.CaSecretName, OperatorDeployment.ServingSecretName],
    Reason = "read and replace (resourceVersion precondition) the CA and serving Secrets; list/watch with a metadata.name field selector")]
[RequiresPermission("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get", "list", "watch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "observe caBundles (list/watch with a metadata.name field selector)")]
[RequiresPermission("admissionregistration.k8s.io", "validatingwebhookconfigurations", "get", "list", "watch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "observe caBundles (list/watch with a metadata.name field selector)")]
[RequiresPermission("events.k8s.io", "events", "create", "patch",
    Reason = "Warning events on repaired caBundles; the webhook configurations are cluster-scoped, so their events go to namespace default (kube-system before 1.21)")]
public sealed partial class CertificateManager : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly IKubernetes _client;
    private readonly CertificateSettings _settings;
    private readonly ServingCertificateStore _store;
    private readonly CertificateMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateManager> _logger;
    private readonly Func<bool> _isLeader;
    private readonly RotationPlanner _planner;
    private readonly SemaphoreSlim _trigger = new(0);
    private readonly Dictionary<string, string> _lastInjected = [];
    private readonly IEventRecorder? _events;
    private readonly CaBundleCorrections _corrections = new();
    private readonly Dictionary<string, IKubernetesObject<V1ObjectMeta>> _observedConfigs = [];
    private DateTimeOffset? _deferredUntil;
    private LastGoodMaterial _lastGood = LastGoodMaterial.None;
    private DateTimeOffset? _nonUrgentPendingSince;
    private string _lastWarnings = "";
    private int _reconciles;

    public CertificateManager(IKubernetes client, CertificateSettings settings, ServingCertificateStore store, CertificateMetrics metrics,
        TimeProvider time, ILogger<CertificateManager> logger, Func<bool> isLeader, IEventRecorder? events = null)
    {
        settings.Validate();
        _client = client;
        _settings = settings;
        _store = store;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _isLeader = isLeader;
        _events = events;
        _planner = new RotationPlanner(settings);
    }

    /// <summary>Completed reconcile passes (diagnostics and tests).</summary>
    public int Reconciles => Volatile.Read(ref _reconciles);

    /// <summary>Asks for a reconcile (after the debounce).</summary>
    public void Trigger() => _trigger.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // TODO(runtime informers): these per-name watches stay until the runtime's InformerRegistry supports field
        // selectors (it keys informers by namespace + label selector only): an informer would cache every Secret of
        // the operator namespace and every webhook configuration cluster-wide, needing broader RBAC than the
        // resourceNames-restricted rules. The reconcile reads live, so only the event source would change.
        var watches = new List<Task>
        {
            WatchLoopAsync("secret " + _settings.CaSecretName, ct => WatchSecretAsync(_settings.CaSecretName, ct), stoppingToken),
            WatchLoopAsync("secret " + _settings.ServingSecretName, ct => WatchSecretAsync(_settings.ServingSecretName, ct), stoppingToken),
        };
        if (_settings.MutatingWebhookConfigurationName.Length > 0)
        {
            watches.Add(WatchLoopAsync("mutatingwebhookconfiguration " + _settings.MutatingWebhookConfigurationName, WatchMutatingAsync, stoppingToken));
        }
        if (_settings.ValidatingWebhookConfigurationName.Length > 0)
        {
            watches.Add(WatchLoopAsync("validatingwebhookconfiguration " + _settings.ValidatingWebhookConfigurationName, WatchValidatingAsync, stoppingToken));
        }

        var nextResync = _time.GetUtcNow() + Jittered(_settings.ResyncPeriod);
        var nextCheck = _time.GetUtcNow();
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            if (now >= nextCheck || now >= nextResync)
            {
                try
                {
                    var plan = await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                    // Deferred repairs (a caBundle fight) leave actions pending: look again when the backoff ends, not at once.
                    nextCheck = _deferredUntil is { } deferred
                        ? (plan.NextCheckAt > _time.GetUtcNow() ? Min(plan.NextCheckAt, deferred) : deferred)
                        : plan.NextCheckAt;
                    backoff = TimeSpan.FromMilliseconds(100);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogReconcileFailed(_logger, e.Message, backoff);
                    nextCheck = _time.GetUtcNow() + backoff;
                    backoff = Min(backoff * 2, MaxBackoff);
                }
                if (now >= nextResync) nextResync = _time.GetUtcNow() + Jittered(_settings.ResyncPeriod);
            }
            // Sleep until due, a watch event, or the wall-clock check (never one long timer: suspend, Task.Delay cap).
            var wake = Min(Min(nextCheck, nextResync), _time.GetUtcNow() + _settings.CheckInterval) - _time.GetUtcNow();
            if (wake > TimeSpan.Zero && await WaitTriggerAsync(wake, stoppingToken).ConfigureAwait(false))
            {
                // Coalesce a burst of events, then decide once.
                await Task.Delay(_settings.EventDebounce, _time, stoppingToken).ConfigureAwait(false);
                while (_trigger.CurrentCount > 0) await _trigger.WaitAsync(stoppingToken).ConfigureAwait(false);
                nextCheck = _time.GetUtcNow();
            }
            UpdateServingMetrics();
        }
        await Task.WhenAll(watches).ConfigureAwait(false);
    }

    /// <summary>One level-triggered pass: read live, plan, act, repeat until nothing is left to do now.</summary>
    public async Task<RotationPlan> ReconcileAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var jittered = false;
        for (var round = 0; ; round++)
        {
            var inputs = await ReadAsync(ct).ConfigureAwait(false);
            var plan = _planner.Plan(inputs);
            Observe(inputs, plan);

            var actions = WithoutDeferredRepairs(SelectActions(plan, inputs.Now, ref jittered, out var waitForJitter), inputs.Now);
            if (waitForJitter is { } jitter)
            {
                // A non-leader acts only after a random delay and on a fresh read (the leader may have acted).
                DisposeUnwritten(plan.Actions);
                await WaitJitterAsync(jitter, ct).ConfigureAwait(false);
                continue;
            }
            if (actions.Count == 0)
            {
                DisposeUnwritten(plan.Actions);
                Interlocked.Increment(ref _reconciles);
                return plan;
            }
            if (round >= 20) throw new InvalidOperationException("certificate reconcile did not converge after 20 rounds");

            var completed = await ExecuteAsync(actions, ct).ConfigureAwait(false);
            DisposeUnwritten(plan.Actions.Except(completed));
            if (completed.Count < actions.Count)
            {
                // Lost a race (409) or the published bundle moved: re-read and decide again.
                _metrics.WriteConflicts.Inc();
                await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
                backoff = Min(backoff * 2, MaxBackoff);
            }
        }
    }

    // Becoming leader ends the wait (a fresh operator usually wins the Lease within a second of starting): the leader
    // acts at once instead of sitting out a random delay meant to let some other leader go first.
    private async Task WaitJitterAsync(TimeSpan jitter, CancellationToken ct)
    {
        var until = _time.GetUtcNow() + jitter;
        while (!_isLeader() && _time.GetUtcNow() < until)
        {
            await Task.Delay(Min(until - _time.GetUtcNow(), TimeSpan.FromMilliseconds(100)), _time, ct).ConfigureAwait(false);
        }
    }

    private List<CertificateAction> SelectActions(RotationPlan plan, DateTimeOffset now, ref bool jittered, out TimeSpan? waitForJitter)
    {
        waitForJitter = null;
        if (plan.Actions.Count == 0)
        {
            _nonUrgentPendingSince = null;
            return [];
        }
        if (_isLeader()) return [.. plan.Actions];

        _nonUrgentPendingSince ??= now;
        var overdue = now - _nonUrgentPendingSince.Value >= _settings.NonLeaderOverdue;
        if (!plan.HasUrgentActions && !overdue) return [];
        if (!jittered)
        {
            jittered = true;
            waitForJitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * _settings.NonLeaderMaxJitter.TotalMilliseconds);
            return [];
        }
        LogNonLeaderActing(_logger, overdue ? "overdue" : "urgent");
        // Urgent actions keep their order (CA, bundles, leaf); a CA write the urgent ones depend on is urgent itself.
        return overdue ? [.. plan.Actions] : [.. plan.Actions.Where(a => a.Urgent)];
    }

    /// <summary>Drops caBundle injections into objects whose repairs are backing off; remembers when to look again.</summary>
    private List<CertificateAction> WithoutDeferredRepairs(List<CertificateAction> actions, DateTimeOffset now)
    {
        _deferredUntil = null;
        return actions.Where(a =>
        {
            if (a is not InjectCaBundle inject || _corrections.BackoffUntil(Key(inject), now) is not { } until) return true;
            _deferredUntil = _deferredUntil is { } d && d < until ? d : until;
            return false;
        }).ToList();
    }

    private static string Key(InjectCaBundle inject) => $"{inject.Kind}/{inject.Name}";

    /// <summary>Runs actions in order; stops at the first lost race. Returns the actions that were written.</summary>
    private async Task<List<CertificateAction>> ExecuteAsync(List<CertificateAction> actions, CancellationToken ct)
    {
        var done = new List<CertificateAction>();
        foreach (var action in actions)
        {
            try
            {
                switch (action)
                {
                    case WriteCaSecret ca:
                        await WriteSecretAsync(CertificateSecrets.BuildCa(ca.Material, ca.ResourceVersion, _settings), ct).ConfigureAwait(false);
                        _lastGood = _lastGood with { Ca = ca.Material };
                        _metrics.Rotations.WithLabels("ca", ca.Change.ToString()).Inc();
                        LogCaWritten(_logger, ca.Change, ca.Material.Generation, ca.Material.Certificate.Sha256(), ca.Material.Bundle.Certificates.Count, ca.Reason);
                        break;
                    case InjectCaBundle inject:
                        if (!await PublishedBundleStillIsAsync(inject.Bundle, ct).ConfigureAwait(false)) return done;
                        var key = Key(inject);
                        var fingerprints = string.Join(",", inject.Bundle.Fingerprints.Order(StringComparer.Ordinal));
                        var tampered = _lastInjected.TryGetValue(key, out var previous) && previous == fingerprints;
                        await CaBundleInjector.ApplyAsync(_client, inject, _settings.CaBundleFieldManager, ct).ConfigureAwait(false);
                        _lastInjected[key] = fingerprints;
                        _metrics.CaBundleCorrections.WithLabels(key, tampered ? "true" : "false").Inc();
                        if (tampered) ReportTamperRepaired(inject, key);
                        else LogInjected(_logger, inject.Kind, inject.Name, inject.Bundle.Certificates.Count, inject.Reason);
                        break;
                    case WriteServingSecret leaf:
                        await WriteSecretAsync(CertificateSecrets.BuildServing(leaf.Material, leaf.ResourceVersion, _settings), ct).ConfigureAwait(false);
                        _lastGood = _lastGood with { Leaf = leaf.Material };
                        _metrics.Rotations.WithLabels("leaf", leaf.Change.ToString()).Inc();
                        LogLeafWritten(_logger, leaf.Change, leaf.Material.Certificate.Sha256(), leaf.Material.Certificate.NotAfterUtc(), leaf.Reason);
                        break;
                }
                done.Add(action);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                LogLostRace(_logger, action.GetType().Name, action.Reason);
                return done;
            }
        }
        return done;
    }

    /// <summary>Warning event on the repaired object; past the threshold, names the competing writer and starts a backoff.</summary>
    private void ReportTamperRepaired(InjectCaBundle inject, string key)
    {
        _observedConfigs.TryGetValue(key, out var observed);
        var competitor = CaBundleCorrections.CompetingFieldManager(observed?.Metadata.ManagedFields, _settings.CaBundleFieldManager) ?? "unknown";
        var backoff = _corrections.Record(key, _time.GetUtcNow(), out var count);
        LogTamperRepaired(_logger, inject.Kind, inject.Name, competitor);
        if (observed is null || _events is null) return;
        _events.Record(observed, EventTypes.Warning, "CaBundleRepaired", "InjectCaBundle",
            $"caBundle was changed by field manager {competitor}; restored the operator's trust bundle ({inject.Bundle.Certificates.Count} CA(s))");
        if (backoff is { } b)
        {
            LogCaBundleFight(_logger, inject.Kind, inject.Name, count, CaBundleCorrections.Window, competitor, b);
            _events.Record(observed, EventTypes.Warning, "CaBundleConflict", "InjectCaBundle",
                $"caBundle corrected {count} times in {CaBundleCorrections.Window.TotalMinutes:0} min; field manager {competitor} keeps overwriting it; next repair in {b.TotalSeconds:0} s");
        }
    }

    private async Task WriteSecretAsync(V1Secret secret, CancellationToken ct)
    {
        if (secret.Metadata.ResourceVersion is null)
        {
            await _client.CoreV1.CreateNamespacedSecretAsync(secret, _settings.Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        else
        {
            await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, _settings.Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    /// <summary>The bundle to inject comes from a live GET of the CA Secret, so a stale decision never pushes an older bundle.</summary>
    private async Task<bool> PublishedBundleStillIsAsync(TrustBundle bundle, CancellationToken ct)
    {
        var live = await GetSecretAsync(_settings.CaSecretName, ct).ConfigureAwait(false);
        var state = CertificateSecrets.ParseCa(live, _settings, _time.GetUtcNow());
        var livePublished = state.Material is { } m ? state.RawBundle.With(m.Certificate, _time.GetUtcNow()) : state.RawBundle;
        return livePublished.SetEquals(bundle);
    }

    private async Task<RotationInputs> ReadAsync(CancellationToken ct)
    {
        var ca = GetSecretAsync(_settings.CaSecretName, ct);
        var serving = GetSecretAsync(_settings.ServingSecretName, ct);
        var configs = new List<ObservedWebhookConfiguration>();
        if (_settings.MutatingWebhookConfigurationName.Length > 0
            && await GetOrNullAsync(() => _client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(_settings.MutatingWebhookConfigurationName, cancellationToken: ct)).ConfigureAwait(false) is { } m)
        {
            _observedConfigs[$"{WebhookConfigurationKind.Mutating}/{m.Metadata.Name}"] = m;
            configs.Add(new(WebhookConfigurationKind.Mutating, m.Metadata.Name, (m.Webhooks ?? []).Select(w => new ObservedWebhook(w.Name, w.ClientConfig?.CaBundle)).ToList()));
        }
        if (_settings.ValidatingWebhookConfigurationName.Length > 0
            && await GetOrNullAsync(() => _client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(_settings.ValidatingWebhookConfigurationName, cancellationToken: ct)).ConfigureAwait(false) is { } v)
        {
            _observedConfigs[$"{WebhookConfigurationKind.Validating}/{v.Metadata.Name}"] = v;
            configs.Add(new(WebhookConfigurationKind.Validating, v.Metadata.Name, (v.Webhooks ?? []).Select(w => new ObservedWebhook(w.Name, w.ClientConfig?.CaBundle)).ToList()));
        }
        return new RotationInputs(await ca.ConfigureAwait(false), await serving.ConfigureAwait(false), configs, _lastGood, _time.GetUtcNow());
    }

    /// <summary>Feeds what was read into last-good memory, the serving store, readiness and metrics.</summary>
    private void Observe(RotationInputs inputs, RotationPlan plan)
    {
        var now = inputs.Now;
        var ca = CertificateSecrets.ParseCa(inputs.CaSecret, _settings, now);
        if (ca.Condition == SecretCondition.Usable && !ca.BundleHadExtras && ca.RawBundle.Contains(ca.Material!.Certificate))
        {
            _lastGood = _lastGood with { Ca = ca.Material };
        }
        if (plan.SigningCa is { } signing) _metrics.NotAfter.WithLabels("ca").Set(signing.Certificate.NotAfterUtc().ToUnixTimeSeconds());

        // Serving follows the Secret; bad or missing data keeps the last good snapshot.
        _store.TryUpdate(inputs.ServingSecret, plan.PublishedBundle);
        var serving = CertificateSecrets.ParseServing(inputs.ServingSecret, _settings, now);
        if (serving.Condition == SecretCondition.Usable && serving.Leaf is { } leaf && plan.PublishedBundle.FindIssuer(leaf, now) is { } issuer)
        {
            _lastGood = _lastGood with { Leaf = new LeafMaterial(leaf, issuer) };
            _metrics.NotAfter.WithLabels("leaf").Set(leaf.NotAfterUtc().ToUnixTimeSeconds());
        }
        _store.ObserveBundles(inputs.WebhookConfigurations.SelectMany(c => c.Webhooks).Select(w => ObservedBundle.Parse(w.CaBundle)).ToList());

        var warnings = string.Join("; ", plan.Warnings);
        if (warnings != _lastWarnings && warnings.Length > 0) LogPlanWarning(_logger, warnings);
        _lastWarnings = warnings;
        UpdateServingMetrics();
    }

    private void UpdateServingMetrics()
    {
        if (_store.Current is not { } current) return;
        _metrics.NotAfter.WithLabels("served").Set(current.NotAfter.ToUnixTimeSeconds());
        foreach (var labels in _metrics.ServingInfo.GetAllLabelValues().ToList())
        {
            if (labels[0] != current.Fingerprint) _metrics.ServingInfo.RemoveLabelled(labels);
        }
        _metrics.ServingInfo.WithLabels(current.Fingerprint, current.IssuerFingerprint).Set(1);
    }

    /// <summary>Generated material that was never written is disposed (a loser's CA or leaf key).</summary>
    private void DisposeUnwritten(IEnumerable<CertificateAction> actions)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case WriteCaSecret { Change: CaChange.Created or CaChange.Replaced or CaChange.Rotated } ca when !ReferenceEquals(_lastGood.Ca?.Certificate, ca.Material.Certificate):
                    ca.Material.Certificate.Dispose();
                    break;
                case WriteServingSecret { Change: not LeafChange.Restored } leaf when !ReferenceEquals(_lastGood.Leaf?.Certificate, leaf.Material.Certificate):
                    leaf.Material.Certificate.Dispose();
                    break;
            }
        }
    }

    private async Task<V1Secret?> GetSecretAsync(string name, CancellationToken ct) =>
        await GetOrNullAsync(() => _client.CoreV1.ReadNamespacedSecretAsync(name, _settings.Namespace, cancellationToken: ct)).ConfigureAwait(false);

    private static async Task<T?> GetOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<bool> WaitTriggerAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(timeout, _time, cts.Token);
        var trigger = _trigger.WaitAsync(cts.Token);
        var first = await Task.WhenAny(delay, trigger).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, trigger).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        ct.ThrowIfCancellationRequested();
        return first == trigger && trigger.IsCompletedSuccessfully;
    }

    // ---- watches: events are only triggers; every decision reads live ----

    private async Task WatchLoopAsync(string what, Func<CancellationToken, Task> watchOnce, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await watchOnce(ct).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWatchFailed(_logger, what, e.Message);
                try
                {
                    await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = Min(backoff * 2, MaxBackoff);
            }
            // A closed watch may have missed events: look again.
            Trigger();
        }
    }

    private int WatchTimeoutSeconds() => 240 + Random.Shared.Next(120);

    private async Task WatchSecretAsync(string name, CancellationToken ct)
    {
        await foreach (var _ in _client.CoreV1.WatchListNamespacedSecretAsync(_settings.Namespace, fieldSelector: $"metadata.name={name}",
                           timeoutSeconds: WatchTimeoutSeconds(), onError: e => throw e, cancellationToken: ct).ConfigureAwait(false))
        {
            Trigger();
        }
    }

    private async Task WatchMutatingAsync(CancellationToken ct)
    {
        await foreach (var _ in _client.AdmissionregistrationV1.WatchListMutatingWebhookConfigurationAsync(
                           fieldSelector: $"metadata.name={_settings.MutatingWebhookConfigurationName}",
                           timeoutSeconds: WatchTimeoutSeconds(), onError: e => throw e, cancellationToken: ct).ConfigureAwait(false))
        {
            Trigger();
        }
    }

    private async Task WatchValidatingAsync(CancellationToken ct)
    {
        await foreach (var _ in _client.AdmissionregistrationV1.WatchListValidatingWebhookConfigurationAsync(
                           fieldSelector: $"metadata.name={_settings.ValidatingWebhookConfigurationName}",
                           timeoutSeconds: WatchTimeoutSeconds(), onError: e => throw e, cancellationToken: ct).ConfigureAwait(false))
        {
            Trigger();
        }
    }

    private static TimeSpan Jittered(TimeSpan period) => period * (0.8 + Random.Shared.NextDouble() * 0.4);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public override void Dispose()
    {
        _trigger.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CA Secret written ({Change}, generation {Generation}, CA {Fingerprint}, {BundleSize} CA(s) in bundle): {Reason}")]
    private static partial void LogCaWritten(ILogger logger, CaChange change, long generation, string fingerprint, int bundleSize, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "serving Secret written ({Change}, leaf {Fingerprint}, not after {NotAfter:O}): {Reason}")]
    private static partial void LogLeafWritten(ILogger logger, LeafChange change, string fingerprint, DateTimeOffset notAfter, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "caBundle injected into {Kind}WebhookConfiguration {Name} ({Count} CA(s)): {Reason}")]
    private static partial void LogInjected(ILogger logger, WebhookConfigurationKind kind, string name, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "caBundle of {Kind}WebhookConfiguration {Name} was changed by field manager {Competitor}; repaired")]
    private static partial void LogTamperRepaired(ILogger logger, WebhookConfigurationKind kind, string name, string competitor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "caBundle of {Kind}WebhookConfiguration {Name} corrected {Count} times in {Window}, field manager {Competitor} keeps overwriting it; backing off {Backoff}")]
    private static partial void LogCaBundleFight(ILogger logger, WebhookConfigurationKind kind, string name, int count, TimeSpan window, string competitor, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Information, Message = "lost a write race ({Action}: {Reason}); re-reading and deciding again")]
    private static partial void LogLostRace(ILogger logger, string action, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "not leader, acting on {Why} certificate actions")]
    private static partial void LogNonLeaderActing(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "certificate reconcile failed ({Error}); retrying in {Backoff}")]
    private static partial void LogReconcileFailed(ILogger logger, string error, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "certificates: {Warnings}")]
    private static partial void LogPlanWarning(ILogger logger, string warnings);

    [LoggerMessage(Level = LogLevel.Debug, Message = "watch of {What} ended: {Error}")]
    private static partial void LogWatchFailed(ILogger logger, string what, string error);
}
