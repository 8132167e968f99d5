using System.Security.Cryptography.X509Certificates;
using GmsaOperator.LocalControlPlane;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.LocalControlPlane;

public sealed class ControlPlanePkiTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("pki-test").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void ServingAndAdminCertificatesChainToTheCa()
    {
        var now = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        var pki = ControlPlanePki.Create(_dir, new FakeTimeProvider(now));
        var ca = X509CertificateLoader.LoadCertificateFromFile(pki.CaCert);

        foreach (var (cert, key) in new[] { (pki.ServingCert, pki.ServingKey), (pki.AdminCert, pki.AdminKey) })
        {
            using var leaf = X509Certificate2.CreateFromPemFile(cert, key);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            Assert.That(chain.Build(leaf), Is.True, $"{cert} must chain to the CA");
            Assert.That(leaf.NotBefore.ToUniversalTime(), Is.EqualTo(now.AddHours(-1).UtcDateTime), "back-dated one hour for clock skew");
        }
    }

    [Test]
    public void AdminIsInSystemMastersAndServingCertCoversLoopback()
    {
        var pki = ControlPlanePki.Create(_dir, TimeProvider.System);
        var admin = X509CertificateLoader.LoadCertificateFromFile(pki.AdminCert);
        Assert.That(admin.Subject, Does.Contain("O=system:masters"));

        var serving = X509CertificateLoader.LoadCertificateFromFile(pki.ServingCert);
        var san = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(san.EnumerateIPAddresses().Select(ip => ip.ToString()), Does.Contain("127.0.0.1"));
        Assert.That(san.EnumerateDnsNames(), Does.Contain("localhost"));
    }

    [Test]
    public void KeysAreReadableOnlyByTheOwner()
    {
        var pki = ControlPlanePki.Create(_dir, TimeProvider.System);
        Assert.That(File.GetUnixFileMode(pki.AdminKey), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.ReadAllText(pki.ServiceAccountKey), Does.StartWith("-----BEGIN RSA PRIVATE KEY-----"));
    }
}
