using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Webhooks.Certificates;

namespace GmsaOperator.Tests.Webhooks.ClientCertificates;

/// <summary>What may serve as <c>Webhooks:ClientCaFile</c>, and which client certificates chain to it.</summary>
public class ClientCertificateAuthorityTests
{
    private static readonly DateTimeOffset Now = new(2031, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static ClientCertificateAuthority Parse(string pem)
    {
        var authority = ClientCertificateAuthority.TryParse(pem, Now, out var problem);
        Assert.That(authority, Is.Not.Null, problem);
        return authority!;
    }

    private static string? Problem(string pem)
    {
        using var authority = ClientCertificateAuthority.TryParse(pem, Now, out var problem);
        Assert.That(authority, Is.Null);
        return problem;
    }

    [Test]
    public void CaFile_MustHoldOnlyCurrentCaCertificates()
    {
        using var pki = ClientPki.Create("CN=client-ca", Now);
        using var leaf = pki.Issue("CN=leaf", Now);

        Assert.That(Problem(""), Is.EqualTo("the file holds no PEM certificate"));
        Assert.That(Problem("not a certificate at all"), Is.EqualTo("the file holds no PEM certificate"));
        Assert.That(Problem(leaf.ExportCertificatePem()), Does.Contain("'CN=leaf' is not a CA certificate"));
        Assert.That(Problem(pki.CaPem + leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()), Does.Contain("private key"));
        Assert.That(Problem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), Is.EqualTo("the file is not PEM-encoded X.509 certificates"));
        using var expired = ClientPki.Create("CN=old", Now.AddDays(-60));
        Assert.That(Problem(expired.CaPem), Is.EqualTo("no certificate in the file is valid now"));

        using var bundle = Parse(expired.CaPem + pki.CaPem);
        Assert.That(bundle.Describe(), Has.Count.EqualTo(2));
        Assert.That(bundle.Describe()[1], Does.StartWith("CN=client-ca (sha256 ").And.EndWith($"{Convert.ToHexStringLower(SHA256.HashData(pki.Ca.RawData))})"));
    }

    [Test]
    public void TryLoad_NamesMissingAndOversizedFiles()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.crt");
        Assert.That(ClientCertificateAuthority.TryLoad(missing, Now, out var problem), Is.Null);
        Assert.That(problem, Is.EqualTo("the file does not exist"));

        var large = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(large, new byte[ClientCertificateAuthority.MaxFileBytes + 1]);
            Assert.That(ClientCertificateAuthority.TryLoad(large, Now, out problem), Is.Null);
            Assert.That(problem, Does.StartWith("the file is larger than"));
        }
        finally
        {
            File.Delete(large);
        }
    }

    [Test]
    public void Accepts_OnlyCurrentClientCertificatesOfTheConfiguredCa()
    {
        using var pki = ClientPki.Create("CN=client-ca", Now);
        using var other = ClientPki.Create("CN=other-ca", Now);
        using var authority = Parse(pki.CaPem);
        using var good = pki.Issue("CN=kube-apiserver", Now);
        using var foreign = other.Issue("CN=kube-apiserver", Now);
        using var serverOnly = pki.Issue("CN=server", Now, extendedKeyUsage: "1.3.6.1.5.5.7.3.1");
        using var selfSigned = SelfSigned("CN=client-ca");

        Assert.That(authority.Accepts(good, null, Now, out var problem), Is.True, problem);
        Assert.That(authority.Accepts(null, null, Now, out problem), Is.False);
        Assert.That(problem, Is.EqualTo("no client certificate"));
        Assert.That(authority.Accepts(foreign, null, Now, out problem), Is.False, "another CA");
        Assert.That(authority.Accepts(selfSigned, null, Now, out problem), Is.False, "a self-signed look-alike of the CA's name");
        Assert.That(authority.Accepts(serverOnly, null, Now, out problem), Is.False, "not for client authentication");
        Assert.That(problem, Does.Contain("NotValidForUsage"));
        Assert.That(authority.Accepts(good, null, Now.AddDays(2), out problem), Is.False, "expired");
        Assert.That(problem, Does.Contain("NotTimeValid"));
        Assert.That(authority.Accepts(pki.Ca, null, Now, out problem), Is.False, "the CA itself is no client certificate");
    }

    [Test]
    public void Accepts_TheSystemTrustStoreNever()
    {
        // A certificate chaining to some public root must not pass just because the machine trusts that root.
        using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
        store.Open(OpenFlags.ReadOnly);
        var systemRoot = store.Certificates.FirstOrDefault(c => c.NotAfter > Now.UtcDateTime);
        if (systemRoot is null) Assert.Ignore("no system root store on this machine");
        using var pki = ClientPki.Create("CN=client-ca", Now);
        using var authority = Parse(pki.CaPem);
        Assert.That(authority.Accepts(systemRoot, null, Now, out _), Is.False);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
    }
}
