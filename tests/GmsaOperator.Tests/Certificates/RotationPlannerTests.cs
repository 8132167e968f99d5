using System.Text;
using GmsaOperator.Operator.Certificates;
using k8s.Models;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

/// <summary>The rotation planner from a fresh start through renewals and CA rotation (pure: inputs in, intents out).</summary>
public partial class RotationPlannerTests
{
    private static readonly CertificateSettings S = Settings();
    private static readonly RotationPlanner Planner = new(S);

    /// <summary>A healthy steady state at <paramref name="at"/>: CA, leaf under it, every caBundle in sync.</summary>
    private static (CaMaterial Ca, V1Secret CaSecret, V1Secret Serving, IReadOnlyList<ObservedWebhookConfiguration> Hooks) Healthy(DateTimeOffset at)
    {
        var ca = Ca(at, S);
        var leaf = CertificateIssuer.IssueLeaf(ca.Certificate, at, S);
        return (ca, CaSecret(ca, S), ServingSecret(leaf, ca.Certificate, S), WebhookConfigs(ca.Bundle.ToPemBytes()));
    }

    private static RotationPlan Plan(V1Secret? ca, V1Secret? serving, IReadOnlyList<ObservedWebhookConfiguration> hooks, DateTimeOffset now, LastGoodMaterial? lastGood = null) =>
        Planner.Plan(new RotationInputs(ca, serving, hooks, lastGood ?? LastGoodMaterial.None, now));

    [Test]
    public void FreshStart_CreatesCaInjectsEverywhereAndIssuesLeaf_AllUrgent()
    {
        var plan = Plan(null, null, WebhookConfigs(null), Start);
        Assert.That(plan.Actions.Select(a => a.GetType().Name), Is.EqualTo(new[] { "CreateCa", "InjectCaBundle", "InjectCaBundle", "IssueLeaf" }));
        var ca = (CreateCa)plan.Actions[0];
        var leaf = (IssueLeaf)plan.Actions[3];
        var done = Execute(plan, S, Start);
        Assert.Multiple(() =>
        {
            Assert.That(plan.Actions.All(a => a.Urgent), Is.True);
            Assert.That(ca.Change, Is.EqualTo(CaChange.Created));
            Assert.That(ca.ResourceVersion, Is.Null, "a missing Secret is created, never replaced");
            Assert.That(done.Ca!.Generation, Is.EqualTo(1));
            Assert.That(done.Ca.Bundle.Certificates, Has.Count.EqualTo(1));
            Assert.That(done.Leaf!.Issuer.Sha256(), Is.EqualTo(done.Ca.Certificate.Sha256()));
            Assert.That(leaf.ResourceVersion, Is.Null);
            var inject = plan.Actions.OfType<InjectCaBundle>().ToList();
            Assert.That(inject.Select(i => i.Kind), Is.EquivalentTo(new[] { WebhookConfigurationKind.Mutating, WebhookConfigurationKind.Validating }));
            Assert.That(inject.Single(i => i.Kind == WebhookConfigurationKind.Validating).WebhookNames, Is.EqualTo(new[] { "validate.gmsa.dev", "binding.gmsa.dev" }));
            Assert.That(done.Injections.All(i => i.Bundle.SetEquals(done.Ca.Bundle)), Is.True);
        });
    }

    [Test]
    public void SteadyState_NoActions_NextCheckAtLeafRenewal()
    {
        var h = Healthy(Start);
        var leaf = Pem.ParseCertificates(h.Serving.Data["tls.crt"], out _)[0];
        var plan = Plan(h.CaSecret, h.Serving, h.Hooks, leaf.RenewAt() - TimeSpan.FromHours(1));
        Assert.That(plan.Actions, Is.Empty);
        Assert.That(plan.Warnings, Is.Empty);
        Assert.That(plan.NextCheckAt, Is.EqualTo(leaf.RenewAt()));
        Assert.That(Plan(h.CaSecret, h.Serving, h.Hooks, Start).NextCheckAt, Is.EqualTo(Start + TimeSpan.FromDays(1)), "never sleeps longer than a day");
    }

    [Test]
    public void LeafRenewal_FlipsExactlyAtOneThirdRemaining_NotAtTwoThirds()
    {
        var h = Healthy(Start);
        var leaf = Pem.ParseCertificates(h.Serving.Data["tls.crt"], out _)[0];
        var life = leaf.NotAfterUtc() - leaf.NotBeforeUtc();
        var oneThirdLeft = leaf.NotAfterUtc() - life / 3;
        var twoThirdsLeft = leaf.NotAfterUtc() - life * 2 / 3;
        Assert.Multiple(() =>
        {
            Assert.That(Plan(h.CaSecret, h.Serving, h.Hooks, twoThirdsLeft).Actions, Is.Empty, "must not renew at 2/3 remaining");
            Assert.That(Plan(h.CaSecret, h.Serving, h.Hooks, oneThirdLeft - TimeSpan.FromSeconds(1)).Actions, Is.Empty);
            var renew = Single<IssueLeaf>(Plan(h.CaSecret, h.Serving, h.Hooks, oneThirdLeft));
            Assert.That(renew.Change, Is.EqualTo(LeafChange.Renewed));
            Assert.That(renew.ResourceVersion, Is.EqualTo("1"), "replace with the observed resourceVersion");
            Assert.That(renew.Urgent, Is.False, "10 days left is not urgent");
        });
    }

    [Test]
    public void CaRenewal_FlipsExactlyAtOneThirdRemaining_StagesNextCaWithoutTouchingLeaf()
    {
        var h = Healthy(Start);
        var life = h.Ca.Certificate.NotAfterUtc() - h.Ca.Certificate.NotBeforeUtc();
        var oneThirdLeft = h.Ca.Certificate.NotAfterUtc() - life / 3;
        // A leaf issued just before, so only the CA is due.
        var freshLeaf = CertificateIssuer.IssueLeaf(h.Ca.Certificate, oneThirdLeft - TimeSpan.FromDays(1), S);
        var serving = ServingSecret(freshLeaf, h.Ca.Certificate, S);
        var twoThirdsLeft = h.Ca.Certificate.NotAfterUtc() - life * 2 / 3;
        var leafThen = ServingSecret(CertificateIssuer.IssueLeaf(h.Ca.Certificate, twoThirdsLeft - TimeSpan.FromDays(1), S), h.Ca.Certificate, S);
        Assert.That(Plan(h.CaSecret, leafThen, h.Hooks, twoThirdsLeft).Actions, Is.Empty, "must not renew at 2/3 remaining");
        Assert.That(Plan(h.CaSecret, serving, h.Hooks, oneThirdLeft - TimeSpan.FromSeconds(1)).Actions, Is.Empty);

        var plan = Plan(h.CaSecret, serving, h.Hooks, oneThirdLeft);
        var rotate = (RotateCa)plan.Actions[0];
        var staged = Execute(plan, S, oneThirdLeft).Ca!;
        Assert.Multiple(() =>
        {
            Assert.That(rotate.Change, Is.EqualTo(CaChange.Rotated));
            Assert.That(staged.Generation, Is.EqualTo(2));
            Assert.That(staged.BundlePublishedAt, Is.EqualTo(oneThirdLeft));
            Assert.That(staged.Bundle.Certificates.Select(c => c.Sha256()),
                Is.EqualTo(new[] { staged.Certificate.Sha256(), h.Ca.Certificate.Sha256() }), "new CA first, old CA kept");
            Assert.That(plan.Actions.OfType<InjectCaBundle>().Count(), Is.EqualTo(2));
            Assert.That(plan.Actions.OfType<InjectCaBundle>().All(a => !a.Urgent), Is.True, "the served leaf's CA is still trusted");
            Assert.That(plan.Actions.OfType<IssueLeaf>(), Is.Empty, "trust first: no leaf from the new CA yet");
        });
    }

    [Test]
    public void CaRotation_LeafSwitchWaitsForEveryBundleAndTheGrace()
    {
        var h = Healthy(Start);
        var t = Start + TimeSpan.FromDays(250); // CA due (after 2/3 of 365 d)
        var leaf = CertificateIssuer.IssueLeaf(h.Ca.Certificate, t - TimeSpan.FromDays(1), S);
        var serving = ServingSecret(leaf, h.Ca.Certificate, S);
        var rotated = Execute(Plan(h.CaSecret, serving, h.Hooks, t), S, t).Ca!;
        var caSecret = CaSecret(rotated, S, "2");
        var newBundle = rotated.Bundle.ToPemBytes();

        // Only the mutating configuration has the new bundle: keep the leaf, re-inject the validating one.
        var partial = new List<ObservedWebhookConfiguration> { WebhookConfigs(newBundle)[0], WebhookConfigs(h.Ca.Bundle.ToPemBytes())[1] };
        var p1 = Plan(caSecret, serving, partial, t + TimeSpan.FromMinutes(5));
        Assert.That(p1.Actions.Select(a => a.GetType().Name), Is.EqualTo(new[] { "InjectCaBundle" }));

        // Everywhere, but inside the grace period: wait, and say until when.
        var everywhere = WebhookConfigs(newBundle);
        var p2 = Plan(caSecret, serving, everywhere, t + S.TrustGrace - TimeSpan.FromSeconds(1));
        Assert.That(p2.Actions, Is.Empty);
        Assert.That(p2.NextCheckAt, Is.EqualTo(t + S.TrustGrace));

        // Grace over: re-issue from the new CA.
        var p3 = Plan(caSecret, serving, everywhere, t + S.TrustGrace);
        var reissue = Single<IssueLeaf>(p3);
        Assert.Multiple(() =>
        {
            Assert.That(reissue.Change, Is.EqualTo(LeafChange.Reissued));
            Assert.That(Execute(p3, S, t + S.TrustGrace).Leaf!.Issuer.Sha256(), Is.EqualTo(rotated.Certificate.Sha256()));
            Assert.That(p3.Actions.OfType<InjectCaBundle>(), Is.Empty);
        });
    }

    [Test]
    public void OldCa_IsPrunedFromBundleAtExpiry_WithoutRestartingTheGrace()
    {
        var s = S;
        var old = Ca(Start - TimeSpan.FromDays(250), s);
        var current = Ca(Start, s, generation: 2, old.Certificate);
        var afterOldExpiry = old.Certificate.NotAfterUtc() + TimeSpan.FromSeconds(1);
        var leaf = CertificateIssuer.IssueLeaf(current.Certificate, afterOldExpiry - TimeSpan.FromDays(1), s);
        var hooks = WebhookConfigs(Encoding.ASCII.GetBytes(Pem.ExportCertificates([current.Certificate, old.Certificate])));
        var plan = Plan(CaSecret(current, s), ServingSecret(leaf, current.Certificate, s), hooks, afterOldExpiry);
        var repair = (RepairBundle)plan.Actions[0];
        Assert.Multiple(() =>
        {
            Assert.That(repair.Change, Is.EqualTo(CaChange.BundleRepaired));
            Assert.That(repair.Repaired.Bundle.Certificates.Select(c => c.Sha256()), Is.EqualTo(new[] { current.Certificate.Sha256() }));
            Assert.That(repair.Repaired.BundlePublishedAt, Is.EqualTo(current.BundlePublishedAt));
            Assert.That(repair.Repaired.Generation, Is.EqualTo(2));
            Assert.That(plan.Actions.OfType<InjectCaBundle>().Count(), Is.EqualTo(2), "expired CA removed from every caBundle too");
            Assert.That(plan.Actions.OfType<IssueLeaf>(), Is.Empty);
        });
    }

    [Test]
    public void CaFromSkewedWriter_IsUsableAndLeafNestsInside()
    {
        // Another replica's clock is 70 minutes ahead: its CA's NotBefore is 10 minutes in our future.
        var ca = Ca(Start + TimeSpan.FromMinutes(70), S);
        var plan = Plan(CaSecret(ca, S), null, [], Start);
        Single<IssueLeaf>(plan);
        var leaf = Execute(plan, S, Start).Leaf!.Certificate;
        Assert.That(plan.Actions.OfType<CaSecretAction>(), Is.Empty);
        Assert.That(leaf.NotBeforeUtc(), Is.EqualTo(ca.Certificate.NotBeforeUtc()));
    }

    [Test]
    public void NoWebhookConfigurations_StillIssues_AndNeverInventsInjections()
    {
        var plan = Plan(null, null, [], Start);
        Assert.That(plan.Actions.Select(a => a.GetType().Name), Is.EqualTo(new[] { "CreateCa", "IssueLeaf" }));
    }

    [Test]
    public void UrgentLeafAfterNonUrgentCaRotation_MakesTheCaWriteUrgentToo()
    {
        var h = Healthy(Start);
        var t = Start + TimeSpan.FromDays(250);
        var plan = Plan(h.CaSecret, null, h.Hooks, t);
        Assert.That(((RotateCa)plan.Actions[0]).Change, Is.EqualTo(CaChange.Rotated));
        Assert.That(plan.Actions.All(a => a.Urgent || a is InjectCaBundle), Is.True);
        Assert.That(plan.Actions[0].Urgent, Is.True);
    }

    [Test]
    public void Plans_HoldNoNewKeys_TheMaterializerCreatesThemWhenAskedInOrder()
    {
        // Planning is free of key generation: a fresh start asks for a CA and a leaf without carrying either.
        var plan = Plan(null, null, WebhookConfigs(null), Start);
        var create = (CreateCa)plan.Actions[0];
        Assert.Multiple(() =>
        {
            Assert.That(create.AlsoTrusted, Is.Empty);
            Assert.That(plan.SigningCa, Is.Null, "no signing CA before the new one is written");
            Assert.That(plan.PublishedBundle.IsEmpty, Is.True);
            Assert.That(plan.CreatesCa, Is.True);
        });

        var materializer = new PlanMaterializer(plan, S);
        Assert.Throws<InvalidOperationException>(() => materializer.Leaf(plan.Actions[3], Start), "a leaf before its CA is written");
        var ca = materializer.Ca(create, Start);
        Assert.That(materializer.Signing, Is.Null, "a CA counts once its write succeeded");
        materializer.CaWritten(ca);
        var leaf = materializer.Leaf(plan.Actions[3], Start);
        Assert.Multiple(() =>
        {
            Assert.That(ca.Certificate.HasPrivateKey && leaf.Certificate.HasPrivateKey, Is.True);
            Assert.That(materializer.Published.SetEquals(ca.Bundle), Is.True);
            Assert.That(leaf.Issuer, Is.SameAs(ca.Certificate));
        });
    }
}
