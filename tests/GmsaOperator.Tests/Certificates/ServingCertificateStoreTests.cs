using System.Text;
using GmsaOperator.Operator.Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

public class ServingCertificateStoreTests
{
    private static readonly CertificateSettings S = Settings();

    private static ServingCertificateStore Store(FakeTimeProvider time) => new(S, time, NullLogger<ServingCertificateStore>.Instance);

    [Test]
    public void ValidSecret_IsSwappedIn_AndReadinessNeedsEveryBundleToTrustTheIssuer()
    {
        var time = new FakeTimeProvider(Start);
        using var store = Store(time);
        var ca = Ca(Start, S);
        var secret = ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, Start, S), ca.Certificate, S);

        Assert.That(store.IsReady(out var r0), Is.False);
        Assert.That(r0, Does.Contain("no serving certificate"));
        Assert.That(store.TryUpdate(secret, ca.Bundle), Is.True);
        Assert.That(store.Current!.IssuerFingerprint, Is.EqualTo(ca.Certificate.Sha256()));
        Assert.That(store.IsReady(out var r1), Is.False, "webhook configurations not observed yet");
        Assert.That(r1, Does.Contain("not been observed"));

        store.ObserveBundles([ObservedBundle.Parse(ca.Bundle.ToPemBytes()), ObservedBundle.Parse(Encoding.ASCII.GetBytes("garbage"))]);
        Assert.That(store.IsReady(out var r2), Is.False);
        Assert.That(r2, Does.Contain("not yet in every webhook caBundle"));

        store.ObserveBundles([ObservedBundle.Parse(ca.Bundle.ToPemBytes()), ObservedBundle.Parse(ca.Bundle.ToPemBytes())]);
        Assert.That(store.IsReady(out _), Is.True);

        // Five minutes before expiry the replica turns unready (rollouts stop) while it keeps serving.
        time.SetUtcNow(store.Current.NotAfter - TimeSpan.FromMinutes(5));
        Assert.That(store.IsReady(out var r3), Is.False);
        Assert.That(r3, Does.Contain("expires"));
        Assert.That(store.Current, Is.Not.Null);
    }

    [TestCase("garbage")]
    [TestCase("deleted")]
    [TestCase("key-mismatch")]
    [TestCase("no-key")]
    [TestCase("expired")]
    [TestCase("unknown-ca")]
    [TestCase("wrong-sans")]
    public void BadUpdate_NeverReplacesTheLastGoodSnapshot(string bad)
    {
        var time = new FakeTimeProvider(Start);
        using var store = Store(time);
        var ca = Ca(Start, S);
        Assert.That(store.TryUpdate(ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, Start, S), ca.Certificate, S), ca.Bundle), Is.True);
        var before = store.Current!.Fingerprint;

        var secret = ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, Start, S), ca.Certificate, S);
        switch (bad)
        {
            case "garbage": secret.Data["tls.crt"] = Encoding.ASCII.GetBytes("garbage"); break;
            case "deleted": secret = null; break;
            case "key-mismatch": secret.Data["tls.key"] = Pem.Bytes(Pem.ExportPrivateKey(CertificateIssuer.IssueLeaf(ca.Certificate, Start, S))); break;
            case "no-key": secret.Data.Remove("tls.key"); break;
            case "expired":
                var oldCa = CertificateIssuer.CreateCa(Start - TimeSpan.FromDays(40), S);
                secret = ServingSecret(CertificateIssuer.IssueLeaf(oldCa, Start - TimeSpan.FromDays(35), S), oldCa, S);
                Assert.That(store.TryUpdate(secret, ca.Bundle.With(oldCa, Start)), Is.False);
                Assert.That(store.Current!.Fingerprint, Is.EqualTo(before));
                return;
            case "unknown-ca":
                var other = CertificateIssuer.CreateCa(Start, S);
                secret = ServingSecret(CertificateIssuer.IssueLeaf(other, Start, S), other, S);
                break;
            case "wrong-sans": secret = ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, Start, Settings(o => o.ServiceName = "x")), ca.Certificate, S); break;
        }
        Assert.That(store.TryUpdate(secret, ca.Bundle), Is.False);
        Assert.That(store.Current!.Fingerprint, Is.EqualTo(before));
    }

    [Test]
    public void RetiredSnapshot_IsDisposedOnlyAfterTheGrace()
    {
        var time = new FakeTimeProvider(Start);
        using var store = Store(time);
        var ca = Ca(Start, S);
        store.TryUpdate(ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, Start, S), ca.Certificate, S), ca.Bundle);
        var first = store.Current!;
        store.TryUpdate(ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, Start, S), ca.Certificate, S), ca.Bundle);
        Assert.That(store.Current, Is.Not.SameAs(first));

        time.Advance(S.RetiredCertificateGrace - TimeSpan.FromSeconds(1));
        Assert.That(first.Certificate.Handle, Is.Not.EqualTo(IntPtr.Zero), "still usable by in-flight handshakes");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(first.Certificate.Handle, Is.EqualTo(IntPtr.Zero), "disposed after the grace");
    }

    [Test]
    public void SameCertificateAgain_IsNotASwap()
    {
        var time = new FakeTimeProvider(Start);
        using var store = Store(time);
        var ca = Ca(Start, S);
        var secret = ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, Start, S), ca.Certificate, S);
        store.TryUpdate(secret, ca.Bundle);
        var snapshot = store.Current;
        Assert.That(store.TryUpdate(secret, ca.Bundle), Is.True);
        Assert.That(store.Current, Is.SameAs(snapshot), "the snapshot in use is kept, not replaced by an equal one");
    }

    [Test]
    public void NoSnapshot_HandshakeOptionsThrow()
    {
        using var store = Store(new FakeTimeProvider(Start));
        Assert.Throws<InvalidOperationException>(() => store.CreateServerOptions());
    }
}
