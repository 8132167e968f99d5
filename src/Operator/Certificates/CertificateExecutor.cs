using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// Carries out a plan's selected intents in order: creates keys only for the write at hand, then writes (Create →
/// AlreadyExists, Replace with resourceVersion → Conflict: a lost race, the caller re-reads and decides again), injects
/// caBundles by server-side apply once a live GET of the CA Secret confirms the bundle is the published one, and
/// remembers its writes (last good material, cache expectations). Plans never write foreign Secrets.
/// </summary>
public sealed partial class CertificateExecutor(IKubernetes client, CertificateSettings settings, CertificateMetrics metrics, CaBundleRepairs repairs,
    CertificateState state, TimeProvider time, ILogger<CertificateExecutor> logger)
{
    /// <summary>
    /// Runs <paramref name="actions"/> (a subset of <paramref name="plan"/>'s, in its order); stops at the first lost race
    /// or when the published bundle moved. <paramref name="cached"/> holds the resourceVersions the plan was made from.
    /// Returns whether every action was carried out.
    /// </summary>
    public async Task<bool> ExecuteAsync(RotationPlan plan, IReadOnlyList<CertificateAction> actions, IReadOnlyDictionary<string, string?> cached, CancellationToken ct)
    {
        var materializer = new PlanMaterializer(plan, settings);
        foreach (var action in actions)
        {
            try
            {
                if (!await ExecuteAsync(action, materializer, cached, ct).ConfigureAwait(false)) return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                LogLostRace(logger, action.GetType().Name, action.Reason);
                return false;
            }
        }
        return true;
    }

    private async Task<bool> ExecuteAsync(CertificateAction action, PlanMaterializer materializer, IReadOnlyDictionary<string, string?> cached, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        switch (action)
        {
            case CaSecretAction ca:
            {
                var material = materializer.Ca(ca, now);
                await WriteSecretAsync(CertificateSecrets.BuildCa(material, ca.ResourceVersion, settings), ca, material.Certificate, ct).ConfigureAwait(false);
                materializer.CaWritten(material);
                state.LastGood = state.LastGood with { Ca = material };
                metrics.Rotations.WithLabels("ca", ca.Change.ToString()).Inc();
                LogCaWritten(logger, ca.Change, material.Generation, material.Certificate.Sha256(), material.Bundle.Certificates.Count, ca.Reason);
                return true;
            }
            case InjectCaBundle inject:
            {
                var bundle = materializer.Published;
                if (!await PublishedBundleStillIsAsync(bundle, ct).ConfigureAwait(false)) return false;
                var written = await repairs.InjectAsync(inject, bundle, ct).ConfigureAwait(false);
                state.Expectations.Expect(inject.Key, cached.GetValueOrDefault(inject.Key), written, time.GetUtcNow());
                return true;
            }
            case IssueLeaf or RestoreLeaf:
            {
                var (change, rv) = action switch
                {
                    IssueLeaf issue => (issue.Change, issue.ResourceVersion),
                    _ => (LeafChange.Restored, ((RestoreLeaf)action).ResourceVersion),
                };
                var leaf = materializer.Leaf(action, now);
                await WriteSecretAsync(CertificateSecrets.BuildServing(leaf, rv, settings), action, leaf.Certificate, ct).ConfigureAwait(false);
                state.LastGood = state.LastGood with { Leaf = leaf };
                metrics.Rotations.WithLabels("leaf", change.ToString()).Inc();
                LogLeafWritten(logger, change, leaf.Certificate.Sha256(), leaf.Certificate.NotAfterUtc(), action.Reason);
                return true;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "unknown certificate intent");
        }
    }

    /// <summary>Creates or replaces; a key made for this write is disposed when the write fails.</summary>
    private async Task WriteSecretAsync(V1Secret secret, CertificateAction action, System.Security.Cryptography.X509Certificates.X509Certificate2 material, CancellationToken ct)
    {
        var replaced = secret.Metadata.ResourceVersion;
        try
        {
            var written = replaced is null
                ? await client.CoreV1.CreateNamespacedSecretAsync(secret, settings.Namespace, cancellationToken: ct).ConfigureAwait(false)
                : await client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, settings.Namespace, cancellationToken: ct).ConfigureAwait(false);
            state.Expectations.Expect(SecretKey(secret.Metadata.Name), replaced, written.Metadata?.ResourceVersion, time.GetUtcNow());
        }
        catch when (PlanMaterializer.IsNew(action))
        {
            material.Dispose();
            throw;
        }
    }

    /// <summary>The bundle to inject must be the one a live GET of the CA Secret publishes, so a stale decision never pushes an older bundle.</summary>
    private async Task<bool> PublishedBundleStillIsAsync(TrustBundle bundle, CancellationToken ct)
    {
        V1Secret? live;
        try
        {
            live = await client.CoreV1.ReadNamespacedSecretAsync(settings.CaSecretName, settings.Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            live = null;
        }
        var now = time.GetUtcNow();
        var parsed = CertificateSecrets.ParseCa(live, settings, now);
        var livePublished = parsed.Material is { } m ? parsed.RawBundle.With(m.Certificate, now) : parsed.RawBundle;
        return livePublished.SetEquals(bundle);
    }

    /// <summary>The expectation key of a Secret (webhook configurations use <see cref="InjectCaBundle.Key"/>).</summary>
    public static string SecretKey(string name) => $"Secret/{name}";

    [LoggerMessage(Level = LogLevel.Information, Message = "CA Secret written ({Change}, generation {Generation}, CA {Fingerprint}, {BundleSize} CA(s) in bundle): {Reason}")]
    private static partial void LogCaWritten(ILogger logger, CaChange change, long generation, string fingerprint, int bundleSize, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "serving Secret written ({Change}, leaf {Fingerprint}, not after {NotAfter:O}): {Reason}")]
    private static partial void LogLeafWritten(ILogger logger, LeafChange change, string fingerprint, DateTimeOffset notAfter, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "lost a write race ({Action}: {Reason}); re-reading and deciding again")]
    private static partial void LogLostRace(ILogger logger, string action, string reason);
}
