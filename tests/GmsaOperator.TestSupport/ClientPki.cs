using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.TestSupport;

/// <summary>A throw-away CA issuing TLS client certificates, for tests of client-certificate authentication.</summary>
public sealed class ClientPki : IDisposable
{
    private readonly ECDsa _key;

    private ClientPki(X509Certificate2 ca, ECDsa key) => (Ca, _key) = (ca, key);

    public X509Certificate2 Ca { get; }

    /// <summary>The CA certificate as PEM (what a <c>Webhooks:ClientCaFile</c> holds).</summary>
    public string CaPem => Ca.ExportCertificatePem() + "\n";

    public static ClientPki Create(string subject, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(0));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return new ClientPki(request.CreateSelfSigned(at.AddHours(-1), at.AddDays(30)), key);
    }

    /// <summary>A leaf with its key (usable by SslStream), by default for client authentication, valid ±1 day around <paramref name="now"/>.</summary>
    public X509Certificate2 Issue(string subject, DateTimeOffset? now = null, string extendedKeyUsage = "1.3.6.1.5.5.7.3.2", TimeSpan? lifetime = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsage)], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), at.AddDays(-1), at + (lifetime ?? TimeSpan.FromDays(1)), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Ca.Dispose();
        _key.Dispose();
    }
}
