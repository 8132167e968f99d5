using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace GmsaOperator.Webhooks.Certificates;

/// <summary>
/// A self-signed ECDSA P-256 serving certificate generated in memory at start (SANs 127.0.0.1, ::1, localhost plus any
/// extra DNS names). It is its own CA bundle. The default when the webhooks are hosted without the operator's
/// certificate controller (tests, embedding; the operator registers its managed store instead), and the operator's
/// metrics certificate.
/// </summary>
public sealed class SelfSignedCertificateProvider : IServingCertificateProvider, IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly byte[] _pem;

    /// <param name="commonName">Subject CN (informational: clients check the SANs).</param>
    public SelfSignedCertificateProvider(TimeProvider time, IEnumerable<string>? extraDnsNames = null, string commonName = "gmsa-operator-webhook")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        foreach (var name in extraDnsNames ?? []) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(365));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        _pem = Encoding.ASCII.GetBytes(_certificate.ExportCertificatePem() + "\n");
    }

    public X509Certificate2 Certificate => _certificate;

    public X509Certificate2? SelectCertificate(ConnectionContext? connection, string? serverName) => _certificate;

    public byte[] GetCaBundlePem() => _pem;

    public void Dispose() => _certificate.Dispose();
}
