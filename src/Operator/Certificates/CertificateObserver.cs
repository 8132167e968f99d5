using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Feeds what a reconcile read into last-good memory, the serving store, readiness, metrics and plan warnings.</summary>
public sealed partial class CertificateObserver(CertificateSettings settings, ServingCertificateStore store, CertificateMetrics metrics, CertificateState state,
    ILogger<CertificateObserver> logger)
{
    private string _lastWarnings = "";

    public void Observe(RotationInputs inputs, RotationPlan plan)
    {
        var now = inputs.Now;
        var ca = CertificateSecrets.ParseCa(inputs.CaSecret, settings, now);
        if (ca.Condition == SecretCondition.Usable && !ca.BundleHadExtras && ca.RawBundle.Contains(ca.Material!.Certificate))
        {
            state.LastGood = state.LastGood with { Ca = ca.Material };
        }
        if (plan.SigningCa is { } signing) metrics.NotAfter.WithLabels("ca").Set(signing.Certificate.NotAfterUtc().ToUnixTimeSeconds());

        // Serving follows the Secret; bad or missing data keeps the last good snapshot.
        store.TryUpdate(inputs.ServingSecret, plan.PublishedBundle);
        var serving = CertificateSecrets.ParseServing(inputs.ServingSecret, settings, now);
        if (serving.Condition == SecretCondition.Usable && serving.Leaf is { } leaf && plan.PublishedBundle.FindIssuer(leaf, now) is { } issuer)
        {
            state.LastGood = state.LastGood with { Leaf = new LeafMaterial(leaf, issuer) };
            metrics.NotAfter.WithLabels("leaf").Set(leaf.NotAfterUtc().ToUnixTimeSeconds());
        }
        store.ObserveBundles(inputs.WebhookConfigurations.SelectMany(c => c.Webhooks).Select(w => ObservedBundle.Parse(w.CaBundle)).ToList());

        var warnings = string.Join("; ", plan.Warnings);
        if (warnings != _lastWarnings && warnings.Length > 0) LogPlanWarning(logger, warnings);
        _lastWarnings = warnings;
        UpdateServingMetrics();
    }

    private void UpdateServingMetrics()
    {
        if (store.Current is not { } current) return;
        metrics.NotAfter.WithLabels("served").Set(current.NotAfter.ToUnixTimeSeconds());
        foreach (var labels in metrics.ServingInfo.GetAllLabelValues().ToList())
        {
            if (labels[0] != current.Fingerprint) metrics.ServingInfo.RemoveLabelled(labels);
        }
        metrics.ServingInfo.WithLabels(current.Fingerprint, current.IssuerFingerprint).Set(1);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "certificates: {Warnings}")]
    private static partial void LogPlanWarning(ILogger logger, string warnings);
}
