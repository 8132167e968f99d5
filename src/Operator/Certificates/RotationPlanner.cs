using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// The pure decision function of webhook TLS: from both Secrets, the observed caBundles, this process's last good
/// material and the time, the list of writes that moves the cluster one step towards a served leaf that every API
/// server can verify. No I/O and no key generation: it returns intents, and the executor creates keys only for those it
/// carries out. Every replica computes the same decisions from the same inputs; resourceVersion preconditions make the
/// writes race-safe.
/// </summary>
/// <remarks>
/// Invariants: trust before use (a leaf is issued from a CA only once that CA is in every observed
/// caBundle and <see cref="CertificateSettings.TrustGrace"/> has passed since the bundle was published, unless no
/// usable leaf exists at all); no trust removal while in use (CAs leave the bundle only at expiry); a Secret
/// without our label is never written.
/// </remarks>
public sealed class RotationPlanner(CertificateSettings settings)
{
    /// <summary>How far ahead <see cref="RotationPlan.NextCheckAt"/> may be when nothing is due.</summary>
    private static readonly TimeSpan MaxQuietPeriod = TimeSpan.FromDays(1);

    public CertificateSettings Settings => settings;

    public RotationPlan Plan(RotationInputs inputs)
    {
        var now = inputs.Now.ToUniversalTime();
        var actions = new List<CertificateAction>();
        var warnings = new List<string>();
        var next = now + MaxQuietPeriod;
        void Due(DateTimeOffset at)
        {
            if (at < next) next = at < now ? now : at;
        }

        var ca = CertificateSecrets.ParseCa(inputs.CaSecret, settings, now);
        var serving = CertificateSecrets.ParseServing(inputs.ServingSecret, settings, now);
        var observed = inputs.WebhookConfigurations
            .Select(c => (Config: c, Bundles: c.Webhooks.Select(w => ObservedBundle.Parse(w.CaBundle)).ToList()))
            .ToList();

        // ---- CA Secret ----
        var signing = PlanCa(ca, serving, inputs, observed.SelectMany(o => o.Bundles), now, actions, warnings, Due);
        var published = signing?.KnownBundle ?? ca.RawBundle;
        foreach (var c in published.Certificates) Due(c.NotAfterUtc()); // prune at expiry

        // The CA of the leaf served now (from the Secret), for the urgency of injections. A CA created by this plan
        // cannot have issued it, so the bundle known before the new key exists is enough to find it.
        var servedIssuer = serving.Leaf is { } servedLeaf ? published.FindIssuer(servedLeaf, now) : null;

        // ---- caBundle injection ----
        var newCa = signing is { IsNew: true };
        if (!published.IsEmpty || newCa)
        {
            foreach (var (config, bundles) in observed)
            {
                // No observed bundle can hold a CA whose key does not exist yet.
                if (bundles.Count == 0 || (!newCa && bundles.All(b => b.IsExactly(published)))) continue;
                var needed = servedIssuer ?? signing?.Known?.Certificate;
                var urgent = needed is null || bundles.Any(b => !b.Trusts(needed));
                actions.Add(new InjectCaBundle(config.Kind, config.Name, config.Webhooks.Select(w => w.Name).ToList(),
                    $"caBundle of {config.Kind}WebhookConfiguration {config.Name} differs from the published bundle", urgent));
            }
        }

        // ---- serving Secret ----
        if (serving.Condition == SecretCondition.Foreign)
        {
            warnings.Add($"Secret {settings.Namespace}/{settings.ServingSecretName} is not labelled {CertificateSecrets.ManagedByLabel}={settings.ManagedBy}; it is never written");
        }
        else if (signing is null)
        {
            warnings.Add("no usable signing CA; the serving certificate cannot be issued");
        }
        else
        {
            PlanLeaf(serving, servedIssuer, signing, published, observed.SelectMany(o => o.Bundles).ToList(), inputs.LastGood, now, actions, Due);
        }

        // Later actions build on the CA write (the bundle to inject, the leaf's issuer): if any of them is urgent, so is it.
        if (actions.Any(a => a.Urgent) && actions.FirstOrDefault() is CaSecretAction { Urgent: false } caWrite)
        {
            actions[0] = caWrite with { Urgent = true };
        }
        return new RotationPlan(actions, next, signing?.Known, published, warnings);
    }

    private PlannedSigning? PlanCa(CaSecretState ca, ServingSecretState serving, RotationInputs inputs, IEnumerable<ObservedBundle> observedBundles,
        DateTimeOffset now, List<CertificateAction> actions, List<string> warnings, Action<DateTimeOffset> due)
    {
        switch (ca.Condition)
        {
            case SecretCondition.Foreign:
                warnings.Add($"Secret {settings.Namespace}/{settings.CaSecretName} is not labelled {CertificateSecrets.ManagedByLabel}={settings.ManagedBy}; it is never written"
                    + (ca.Material is null ? $" and cannot sign ({ca.Problem})" : " (used read-only as the signing CA; no CA rotation)"));
                return ca.Material is { } foreign ? PlannedSigning.Of(foreign with { Bundle = ca.RawBundle.With(foreign.Certificate, now) }) : null;

            case SecretCondition.Missing:
            case SecretCondition.Unusable:
            {
                if (inputs.LastGood.Ca is { } lastGood && lastGood.Certificate.NotAfterUtc() > now)
                {
                    // Restore the same CA: pods serving leaves under it keep working, no caBundle change.
                    var restored = lastGood with { Bundle = TrustBundle.From(lastGood.Bundle.Certificates, now).With(lastGood.Certificate, now) };
                    actions.Add(new RestoreCa(restored, ca.ResourceVersion, $"CA Secret {Describe(ca)}; restoring the last good CA", Urgent: true));
                    return PlannedSigning.Of(restored);
                }
                // Keep trusting one still-valid CA of ours that pods may be serving under: the serving Secret's
                // issuer if it is one, else the newest seen in the old bundle or the live caBundles.
                var hint = CertificateSecrets.ServingIssuerHint(inputs.ServingSecret);
                var carried = Harvest(ca.RawBundle.Certificates.Concat(observedBundles.SelectMany(b => b.Certificates)).Concat(hint is null ? [] : [hint]), now)
                    .OrderByDescending(c => hint is not null && c.Sha256() == hint.Sha256())
                    .Take(1)
                    .ToList();
                var generation = Math.Max(ca.Generation, inputs.LastGood.Ca?.Generation ?? 0) + 1;
                actions.Add(new CreateCa(carried, generation, ReplacesUnusable: ca.Condition != SecretCondition.Missing, ca.ResourceVersion,
                    $"CA Secret {Describe(ca)}; generating a new CA", Urgent: true));
                return PlannedSigning.New(TrustBundle.From(carried, now), now);
            }

            default:
            {
                var current = ca.Material!;
                var renewAt = current.Certificate.RenewAt();
                if (now >= renewAt)
                {
                    // Stage CA N+1 next to N; the leaf stays under N until N+1 is trusted everywhere.
                    actions.Add(new RotateCa(current, ca.ResourceVersion,
                        $"CA expires at {current.Certificate.NotAfterUtc():O}, less than a third of its life left",
                        Urgent: current.Certificate.NotAfterUtc() - now < settings.UrgentWindow));
                    return PlannedSigning.New(TrustBundle.From([current.Certificate], now), now);
                }
                due(renewAt);

                var signingMissing = !ca.RawBundle.Contains(current.Certificate);
                if (signingMissing || ca.BundleHadExtras)
                {
                    var repaired = current with
                    {
                        Bundle = ca.RawBundle.With(current.Certificate, now),
                        // Re-adding the signing CA is a trust change (restart the grace); pruning is not.
                        BundlePublishedAt = signingMissing ? now : current.BundlePublishedAt,
                    };
                    actions.Add(new RepairBundle(repaired, ca.ResourceVersion,
                        signingMissing ? "ca.crt lacks the signing CA" : "ca.crt holds expired, duplicate or non-CA entries", Urgent: signingMissing));
                    return PlannedSigning.Of(repaired);
                }
                return PlannedSigning.Of(current);
            }
        }
    }

    private void PlanLeaf(ServingSecretState serving, X509Certificate2? servedIssuer, PlannedSigning signing, TrustBundle published,
        IReadOnlyList<ObservedBundle> observed, LastGoodMaterial lastGood, DateTimeOffset now, List<CertificateAction> actions, Action<DateTimeOffset> due)
    {
        if (serving.Leaf is not { } leaf || servedIssuer is null)
        {
            // Nothing usable in the Secret. Prefer our last good leaf (same certificate, no trust change).
            if (lastGood.Leaf is { } good && LeafValidator.Check(good.Certificate, settings, now, TimeSpan.Zero) is null
                && published.FindIssuer(good.Certificate, now) is { } goodIssuer)
            {
                actions.Add(new RestoreLeaf(good with { Issuer = goodIssuer }, serving.ResourceVersion,
                    $"serving Secret {Describe(serving)}; restoring the last good certificate", Urgent: true));
                due(good.Certificate.RenewAt());
                return;
            }
            // No valid leaf is served from the Secret, so there is no trust to protect: issue at once. Only the
            // signing CA's key is held, so it is the issuer even if its trust is still propagating (readiness waits).
            actions.Add(new IssueLeaf(LeafChange.Issued, serving.ResourceVersion, $"serving Secret {Describe(serving)}; issuing a certificate", Urgent: true));
            return;
        }

        var renewAt = leaf.RenewAt();
        var needsRenewal = now >= renewAt;
        var wrongIssuer = !signing.Is(servedIssuer);
        if (!needsRenewal && !wrongIssuer)
        {
            due(renewAt);
            return;
        }

        var trustedEverywhere = observed.All(signing.IsTrustedBy);
        var graceEnds = signing.BundlePublishedAt == DateTimeOffset.MinValue ? now : signing.BundlePublishedAt + settings.TrustGrace;
        if (trustedEverywhere && now >= graceEnds)
        {
            actions.Add(new IssueLeaf(wrongIssuer ? LeafChange.Reissued : LeafChange.Renewed, serving.ResourceVersion,
                wrongIssuer ? "the serving certificate was issued by a previous CA" : $"the serving certificate expires at {leaf.NotAfterUtc():O}, less than a third of its life left",
                Urgent: leaf.NotAfterUtc() - now < settings.UrgentWindow));
            return;
        }
        // Trust first: wait until the signing CA is injected everywhere (re-planned on the watch event) and the
        // grace period has passed. If the leaf expires meanwhile, the next plan issues at once.
        due(trustedEverywhere ? graceEnds : now + settings.CheckInterval);
        due(leaf.NotAfterUtc());
    }

    /// <summary>Still-valid CAs of ours (by common-name prefix), newest first; never a leaf or a foreign CA.</summary>
    private IEnumerable<X509Certificate2> Harvest(IEnumerable<X509Certificate2> candidates, DateTimeOffset now) =>
        TrustBundle.From(candidates.Where(c => c.GetNameInfo(X509NameType.SimpleName, forIssuer: false)
            .StartsWith(settings.CaCommonNamePrefix + "@", StringComparison.Ordinal)), now).Certificates;

    private static string Describe(CaSecretState s) => s.Condition == SecretCondition.Missing ? "is missing" : $"is unusable ({s.Problem})";

    private static string Describe(ServingSecretState s) => s.Condition == SecretCondition.Missing ? "is missing" : $"is unusable ({s.Problem ?? "not issued by a CA in the published bundle"})";

    /// <summary>
    /// The signing CA as planned: <see cref="Known"/> material, or one this plan creates (<see cref="IsNew"/>), whose
    /// bundle is <see cref="KnownBundle"/> plus the new CA and which no observed caBundle can trust yet.
    /// </summary>
    private sealed record PlannedSigning(CaMaterial? Known, TrustBundle KnownBundle, DateTimeOffset BundlePublishedAt)
    {
        public bool IsNew => Known is null;

        public static PlannedSigning Of(CaMaterial material) => new(material, material.Bundle, material.BundlePublishedAt);

        public static PlannedSigning New(TrustBundle alsoTrusted, DateTimeOffset now) => new(null, alsoTrusted, now);

        public bool Is(X509Certificate2 ca) => Known is { } k && k.Certificate.Sha256() == ca.Sha256();

        public bool IsTrustedBy(ObservedBundle bundle) => Known is { } k && bundle.Trusts(k.Certificate);
    }
}
