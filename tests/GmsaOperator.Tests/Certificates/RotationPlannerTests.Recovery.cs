using System.Text;
using GmsaOperator.Operator.Certificates;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

/// <summary>The planner when things are lost or broken: expired, unusable, deleted, foreign or tampered material.</summary>
public partial class RotationPlannerTests
{
    [Test]
    public void ExpiredCaAndLeaf_NewCaGenerationAndLeafAtOnce()
    {
        var h = Healthy(Start);
        var later = h.Ca.Certificate.NotAfterUtc() + TimeSpan.FromDays(1);
        var plan = Plan(h.CaSecret, h.Serving, h.Hooks, later);
        var ca = (CreateCa)plan.Actions[0];
        var leaf = plan.Actions.OfType<IssueLeaf>().Single();
        var done = Execute(plan, S, later);
        Assert.Multiple(() =>
        {
            Assert.That(ca.Change, Is.EqualTo(CaChange.Replaced));
            Assert.That(ca.ResourceVersion, Is.EqualTo("1"));
            Assert.That(done.Ca!.Generation, Is.EqualTo(2));
            Assert.That(done.Ca.Bundle.Certificates, Has.Count.EqualTo(1), "the expired CA is not carried");
            Assert.That(leaf.Change, Is.EqualTo(LeafChange.Issued));
            Assert.That(leaf.Urgent && ca.Urgent, Is.True);
            Assert.That(done.Leaf!.Issuer.Sha256(), Is.EqualTo(done.Ca.Certificate.Sha256()));
            Assert.That(plan.Actions.OfType<InjectCaBundle>().All(i => i.Urgent), Is.True);
        });
    }

    [Test]
    public void ExpiredLeaf_ValidCa_NewLeafOnly_NoBundleChange()
    {
        var h = Healthy(Start);
        var leaf = Pem.ParseCertificates(h.Serving.Data["tls.crt"], out _)[0];
        var plan = Plan(h.CaSecret, h.Serving, h.Hooks, leaf.NotAfterUtc() + TimeSpan.FromSeconds(1));
        Assert.That(plan.Actions.Select(a => a.GetType().Name), Is.EqualTo(new[] { "IssueLeaf" }));
        Assert.That(Single<IssueLeaf>(plan).Change, Is.EqualTo(LeafChange.Issued));
    }

    [TestCase("not-yet-valid")]
    [TestCase("key-mismatch")]
    [TestCase("wrong-sans")]
    [TestCase("unknown-ca")]
    [TestCase("garbage")]
    [TestCase("empty")]
    [TestCase("is-a-ca")]
    public void UnusableLeaf_IsReissuedAtOnce(string state)
    {
        var h = Healthy(Start);
        var now = Start + TimeSpan.FromDays(1);
        var good = Pem.ParseCertificates(h.Serving.Data["tls.crt"], out _)[0];
        var serving = h.Serving;
        switch (state)
        {
            case "not-yet-valid":
                serving = ServingSecret(CertificateIssuer.IssueLeaf(h.Ca.Certificate, now + TimeSpan.FromHours(3), S), h.Ca.Certificate, S);
                break;
            case "key-mismatch":
                serving.Data["tls.key"] = Pem.Bytes(Pem.ExportPrivateKey(CertificateIssuer.IssueLeaf(h.Ca.Certificate, now, S)));
                break;
            case "wrong-sans":
                serving = ServingSecret(CertificateIssuer.IssueLeaf(h.Ca.Certificate, now, Settings(o => o.ServiceName = "other")), h.Ca.Certificate, S);
                break;
            case "unknown-ca":
                var foreignCa = CertificateIssuer.CreateCa(now, S);
                serving = ServingSecret(CertificateIssuer.IssueLeaf(foreignCa, now, S), foreignCa, S);
                break;
            case "garbage":
                serving.Data["tls.crt"] = Encoding.ASCII.GetBytes("not a pem");
                break;
            case "empty":
                serving.Data = new Dictionary<string, byte[]>();
                break;
            case "is-a-ca":
                serving = ServingSecret(h.Ca.Certificate, h.Ca.Certificate, S);
                break;
        }
        var plan = Plan(h.CaSecret, serving, h.Hooks, now);
        var write = Single<IssueLeaf>(plan);
        Assert.Multiple(() =>
        {
            Assert.That(write.Change, Is.EqualTo(LeafChange.Issued));
            Assert.That(write.Urgent, Is.True);
            Assert.That(write.ResourceVersion, Is.EqualTo("1"));
            Assert.That(Execute(plan, S, now).Leaf!.Certificate.Sha256(), Is.Not.EqualTo(good.Sha256()));
            Assert.That(plan.Actions.OfType<CaSecretAction>(), Is.Empty);
        });
    }

    [TestCase("garbage")]
    [TestCase("key-mismatch")]
    [TestCase("not-a-ca")]
    [TestCase("no-ca-crt")]
    public void UnusableCa_WithoutLastGood_IsReplacedKeepingStillValidCaTrusted(string state)
    {
        var h = Healthy(Start);
        var now = Start + TimeSpan.FromDays(1);
        var caSecret = h.CaSecret;
        switch (state)
        {
            case "garbage":
                caSecret.Data["tls.crt"] = Encoding.ASCII.GetBytes("garbage");
                break;
            case "key-mismatch":
                caSecret.Data["tls.key"] = Pem.Bytes(Pem.ExportPrivateKey(CertificateIssuer.CreateCa(now, S)));
                break;
            case "not-a-ca":
                var leaf = CertificateIssuer.IssueLeaf(h.Ca.Certificate, now, S);
                caSecret.Data["tls.crt"] = Pem.Bytes(leaf.ExportCertificatePem());
                caSecret.Data["tls.key"] = Pem.Bytes(Pem.ExportPrivateKey(leaf));
                break;
            case "no-ca-crt":
                // Only the bundle is lost: same CA, bundle repaired, trust change → grace restarts.
                caSecret.Data.Remove("ca.crt");
                var repair = (RepairBundle)Plan(caSecret, h.Serving, h.Hooks, now).Actions[0];
                Assert.That(repair.Change, Is.EqualTo(CaChange.BundleRepaired));
                Assert.That(repair.Repaired.Certificate.Sha256(), Is.EqualTo(h.Ca.Certificate.Sha256()));
                Assert.That(repair.Repaired.BundlePublishedAt, Is.EqualTo(now));
                return;
        }
        var plan = Plan(caSecret, h.Serving, h.Hooks, now);
        var replace = (CreateCa)plan.Actions[0];
        var replaced = Execute(plan, S, now).Ca!;
        Assert.Multiple(() =>
        {
            Assert.That(replace.Change, Is.EqualTo(CaChange.Replaced));
            Assert.That(replaced.Generation, Is.EqualTo(2));
            // The still-valid old CA (seen in the caBundles and the serving Secret) stays trusted: pods still serve its leaf.
            Assert.That(replaced.Bundle.Contains(h.Ca.Certificate), Is.True);
            Assert.That(replaced.Bundle.Certificates, Has.Count.EqualTo(2));
            // The served leaf chains into the new bundle, so it is re-issued only after trust propagates.
            Assert.That(plan.Actions.OfType<IssueLeaf>(), Is.Empty);
        });
    }

    [Test]
    public void DeletedCaSecret_WithLastGood_IsRestoredSameCaNoBundleChange()
    {
        var h = Healthy(Start);
        var lastGood = new LastGoodMaterial(h.Ca, null);
        var plan = Plan(null, h.Serving, h.Hooks, Start + TimeSpan.FromDays(2), lastGood);
        var restore = (RestoreCa)plan.Actions.Single();
        Assert.Multiple(() =>
        {
            Assert.That(restore.Change, Is.EqualTo(CaChange.Restored));
            Assert.That(restore.ResourceVersion, Is.Null);
            Assert.That(restore.LastGood.Certificate.Sha256(), Is.EqualTo(h.Ca.Certificate.Sha256()));
            Assert.That(restore.LastGood.Generation, Is.EqualTo(h.Ca.Generation));
            Assert.That(restore.Urgent, Is.True);
        });
    }

    [Test]
    public void DeletedServingSecret_WithLastGood_IsRestoredWithTheSameLeaf()
    {
        var h = Healthy(Start);
        var leaf = Pem.LoadPair(h.Serving.Data["tls.crt"], h.Serving.Data["tls.key"], out _)!;
        var plan = Plan(h.CaSecret, null, h.Hooks, Start + TimeSpan.FromDays(2), new LastGoodMaterial(h.Ca, new LeafMaterial(leaf, h.Ca.Certificate)));
        var restore = Single<RestoreLeaf>(plan);
        Assert.Multiple(() =>
        {
            Assert.That(restore.ResourceVersion, Is.Null);
            Assert.That(restore.LastGood.Certificate.Sha256(), Is.EqualTo(leaf.Sha256()));
            Assert.That(plan.Actions, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void ForeignSecrets_AreNeverWritten()
    {
        var h = Healthy(Start);
        var expiredLater = h.Ca.Certificate.NotAfterUtc() + TimeSpan.FromDays(1);
        var plan = Plan(Unlabelled(h.CaSecret), Unlabelled(h.Serving), h.Hooks, expiredLater);
        Assert.That(plan.Actions.OfType<CaSecretAction>(), Is.Empty);
        Assert.That(plan.Actions.Where(a => a is IssueLeaf or RestoreLeaf), Is.Empty);
        Assert.That(plan.Warnings, Has.Some.Contains("gmsa-operator-webhook-ca").And.Some.Contains("never written"));

        // A foreign but valid CA is used read-only: the leaf is issued from it, the CA is never rotated.
        var h2 = Healthy(Start);
        var plan2 = Plan(Unlabelled(h2.CaSecret), null, h2.Hooks, Start + TimeSpan.FromDays(300));
        Assert.That(plan2.Actions.OfType<CaSecretAction>(), Is.Empty);
        Single<IssueLeaf>(plan2);
        Assert.That(Execute(plan2, S, Start + TimeSpan.FromDays(300)).Leaf!.Issuer.Sha256(), Is.EqualTo(h2.Ca.Certificate.Sha256()));
    }

    [TestCase("garbage", true)]
    [TestCase("removed", true)]
    [TestCase("foreign", true)]
    [TestCase("rogue-appended", false)]
    public void TamperedBundle_IsReinjectedExactly(string tamper, bool urgent)
    {
        var h = Healthy(Start);
        var good = h.Ca.Bundle.ToPem();
        byte[]? bad = tamper switch
        {
            "garbage" => Encoding.ASCII.GetBytes("garbage"),
            "removed" => null,
            "foreign" => Encoding.ASCII.GetBytes(RogueCa(Start).ExportCertificatePem()),
            _ => Encoding.ASCII.GetBytes(good + RogueCa(Start).ExportCertificatePem()),
        };
        var hooks = new List<ObservedWebhookConfiguration>
        {
            WebhookConfigs(h.Ca.Bundle.ToPemBytes())[0],
            new(WebhookConfigurationKind.Validating, "gmsa-operator", [new("validate.gmsa.dev", h.Ca.Bundle.ToPemBytes()), new("binding.gmsa.dev", bad)]),
        };
        var plan = Plan(h.CaSecret, h.Serving, hooks, Start + TimeSpan.FromHours(1));
        var inject = Single<InjectCaBundle>(plan);
        Assert.Multiple(() =>
        {
            Assert.That(plan.Actions, Has.Count.EqualTo(1));
            Assert.That(inject.Kind, Is.EqualTo(WebhookConfigurationKind.Validating));
            Assert.That(inject.WebhookNames, Is.EqualTo(new[] { "validate.gmsa.dev", "binding.gmsa.dev" }));
            Assert.That(Execute(plan, S, Start + TimeSpan.FromHours(1)).Injections.Single().Bundle.SetEquals(h.Ca.Bundle), Is.True);
            Assert.That(inject.Urgent, Is.EqualTo(urgent));
        });
    }

    [Test]
    public void BothSecretsLostAndRestarted_OldCaHarvestedFromLiveBundles()
    {
        var h = Healthy(Start);
        var plan = Plan(null, h.Serving, h.Hooks, Start + TimeSpan.FromDays(3));
        var created = (CreateCa)plan.Actions[0];
        Assert.That(created.Change, Is.EqualTo(CaChange.Created));
        Assert.That(Execute(plan, S, Start + TimeSpan.FromDays(3)).Ca!.Bundle.Contains(h.Ca.Certificate), Is.True);
        Assert.That(plan.Actions.OfType<IssueLeaf>(), Is.Empty, "the old leaf still chains to the bundle: trust first");

        // A rogue CA in a live caBundle is not harvested.
        var rogueHooks = WebhookConfigs(Encoding.ASCII.GetBytes(RogueCa(Start).ExportCertificatePem()));
        var plan2 = Plan(null, null, rogueHooks, Start);
        Assert.That(plan2.Actions[0], Is.TypeOf<CreateCa>());
        Assert.That(Execute(plan2, S, Start).Ca!.Bundle.Certificates, Has.Count.EqualTo(1));
    }
}
