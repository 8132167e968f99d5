using System.Security.Cryptography.X509Certificates;
using System.Text;
using GmsaOperator.Operator.Certificates;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

public class CertificateIssuerTests
{
    [Test]
    public void Ca_IsBackDatedP256PathLenZeroCa()
    {
        var s = Settings();
        using var ca = CertificateIssuer.CreateCa(Start, s);
        Assert.Multiple(() =>
        {
            Assert.That(ca.NotBeforeUtc(), Is.EqualTo(Start - TimeSpan.FromHours(1)));
            Assert.That(ca.NotAfterUtc(), Is.EqualTo(Start + TimeSpan.FromDays(365)));
            Assert.That(ca.GetECDsaPublicKey()!.KeySize, Is.EqualTo(256));
            var bc = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
            Assert.That(bc.CertificateAuthority && bc.HasPathLengthConstraint && bc.PathLengthConstraint == 0 && bc.Critical, Is.True);
            Assert.That(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign), Is.True);
            Assert.That(ca.HasPrivateKey, Is.True);
            Assert.That(ca.IsCertificateAuthority(), Is.True);
        });
    }

    [Test]
    public void Leaf_CarriesServiceSansServerAuthAndAuthorityKeyId()
    {
        var s = Settings(o => o.ClusterDomain = "corp.example");
        using var ca = CertificateIssuer.CreateCa(Start, s);
        using var leaf = CertificateIssuer.IssueLeaf(ca, Start, s);
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(san.EnumerateDnsNames(), Is.EquivalentTo(new[]
            {
                "gmsa-webhook", "gmsa-webhook.gmsa-system", "gmsa-webhook.gmsa-system.svc", "gmsa-webhook.gmsa-system.svc.corp.example",
            }));
            Assert.That(san.EnumerateIPAddresses(), Is.Empty);
            Assert.That(leaf.IsCertificateAuthority(), Is.False);
            Assert.That(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value, Is.EqualTo("1.3.6.1.5.5.7.3.1"));
            Assert.That(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray(),
                Is.EqualTo(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray()));
            Assert.That(leaf.NotBeforeUtc(), Is.EqualTo(Start - TimeSpan.FromHours(1)));
            Assert.That(leaf.NotAfterUtc(), Is.EqualTo(Start + TimeSpan.FromDays(30)));
            Assert.That(LeafValidator.Check(leaf, s, Start, TimeSpan.Zero), Is.Null);
        });
    }

    [Test]
    public void Leaf_InLocalModeAlsoCarriesLoopback()
    {
        var s = Settings(o => o.LocalMode = true);
        using var ca = CertificateIssuer.CreateCa(Start, s);
        using var leaf = CertificateIssuer.IssueLeaf(ca, Start, s);
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(san.EnumerateIPAddresses().Select(ip => ip.ToString()), Is.EqualTo(new[] { "127.0.0.1" }));
        Assert.That(san.EnumerateDnsNames(), Does.Contain("localhost"));
    }

    [Test]
    public void Leaf_FromCaWhoseClockRanAhead_IsClampedToCaNotBeforeAndDoesNotThrow()
    {
        var s = Settings();
        // The CA was made by a replica whose clock is 70 min ahead: its NotBefore (back-dated 1 h) is 10 min in our future.
        using var ca = CertificateIssuer.CreateCa(Start + TimeSpan.FromMinutes(70), s);
        Assert.That(ca.NotBeforeUtc(), Is.EqualTo(Start + TimeSpan.FromMinutes(10)));
        using var leaf = CertificateIssuer.IssueLeaf(ca, Start, s);
        Assert.That(leaf.NotBeforeUtc(), Is.EqualTo(ca.NotBeforeUtc()));
        Assert.That(leaf.NotAfterUtc(), Is.LessThanOrEqualTo(ca.NotAfterUtc()));
    }

    [Test]
    public void Leaf_NeverOutlivesItsCa()
    {
        var s = Settings();
        using var ca = CertificateIssuer.CreateCa(Start, s);
        var fiveDaysBeforeCaExpiry = ca.NotAfterUtc() - TimeSpan.FromDays(5);
        using var leaf = CertificateIssuer.IssueLeaf(ca, fiveDaysBeforeCaExpiry, s);
        Assert.That(leaf.NotAfterUtc(), Is.EqualTo(ca.NotAfterUtc()));
        Assert.Throws<InvalidOperationException>(() => CertificateIssuer.IssueLeaf(ca, ca.NotAfterUtc() + TimeSpan.FromSeconds(1), s));
    }

    [Test]
    public void Serials_AreUniqueAndPositiveOver10000Leaves()
    {
        var s = Settings();
        using var ca = CertificateIssuer.CreateCa(Start, s);
        var serials = new HashSet<string>();
        for (var i = 0; i < 10_000; i++)
        {
            using var leaf = CertificateIssuer.IssueLeaf(ca, Start, s);
            var serial = leaf.SerialNumberBytes.Span; // big-endian
            Assert.That(serial[0] & 0x80, Is.Zero, "serial must be positive");
            Assert.That(serial.Length, Is.EqualTo(16));
            Assert.That(serials.Add(Convert.ToHexString(serial)), Is.True, "duplicate serial");
        }
        Assert.That(serials, Has.Count.EqualTo(10_000));
    }

    [Test]
    public void PemRoundTrip_VerifiesAgainstBundleOnlyUntilNotAfter()
    {
        var s = Settings();
        var caMaterial = Ca(Start, s);
        using var leaf = CertificateIssuer.IssueLeaf(caMaterial.Certificate, Start, s);
        var secret = ServingSecret(leaf, caMaterial.Certificate, s);
        Assert.That(Encoding.ASCII.GetString(secret.Data["tls.key"]), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        using var loaded = Pem.LoadPair(secret.Data["tls.crt"], secret.Data["tls.key"], out var problem);
        Assert.That(problem, Is.Null);
        var bundle = TrustBundle.Parse(CaSecret(caMaterial, s).Data["ca.crt"], Start);

        Assert.That(bundle.FindIssuer(loaded!, loaded!.NotAfterUtc() - TimeSpan.FromSeconds(1))?.Sha256(), Is.EqualTo(caMaterial.Certificate.Sha256()));
        Assert.That(bundle.FindIssuer(loaded!, loaded!.NotAfterUtc() + TimeSpan.FromSeconds(1)), Is.Null);
        Assert.That(TrustBundle.From([RogueCa(Start)], Start).FindIssuer(loaded!, Start), Is.Null);
    }

    [Test]
    public void LoadPair_RejectsMismatchedKeyPkcs1AndGarbage()
    {
        var s = Settings();
        var ca = Ca(Start, s);
        using var a = CertificateIssuer.IssueLeaf(ca.Certificate, Start, s);
        using var b = CertificateIssuer.IssueLeaf(ca.Certificate, Start, s);
        var crtA = Encoding.ASCII.GetBytes(a.ExportCertificatePem());
        var keyB = Encoding.ASCII.GetBytes(Pem.ExportPrivateKey(b));
        Assert.Multiple(() =>
        {
            Assert.That(Pem.LoadPair(crtA, keyB, out var p1), Is.Null);
            Assert.That(p1, Does.Contain("key pair"));
            Assert.That(Pem.LoadPair(crtA, Encoding.ASCII.GetBytes(a.GetECDsaPrivateKey()!.ExportECPrivateKeyPem()), out var p2), Is.Null);
            Assert.That(p2, Does.Contain("PKCS#8"));
            Assert.That(Pem.LoadPair(Encoding.ASCII.GetBytes("garbage"), keyB, out var p3), Is.Null);
            Assert.That(p3, Does.Contain("exactly one"));
            Assert.That(Pem.LoadPair(null, keyB, out var p4), Is.Null);
            Assert.That(p4, Does.Contain("missing"));
        });
    }

    [Test]
    public void LeafValidator_ReportsWrongSansNotYetValidAndCa()
    {
        var s = Settings();
        var ca = Ca(Start, s);
        using var leaf = CertificateIssuer.IssueLeaf(ca.Certificate, Start, s);
        Assert.Multiple(() =>
        {
            Assert.That(LeafValidator.Check(leaf, Settings(o => o.ServiceName = "other"), Start, TimeSpan.Zero), Does.Contain("lacks the SANs"));
            Assert.That(LeafValidator.Check(leaf, s, Start - TimeSpan.FromHours(2), TimeSpan.Zero), Does.Contain("not valid before"));
            Assert.That(LeafValidator.Check(leaf, s, leaf.NotAfterUtc() - TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)), Does.Contain("expires"));
            Assert.That(LeafValidator.Check(ca.Certificate, s, Start, TimeSpan.Zero), Does.Contain("CA certificate"));
        });
    }
}
