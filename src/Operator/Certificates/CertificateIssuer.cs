using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Issues the CA and serving (leaf) certificates: ECDSA P-256, random positive serials, back-dated, leaf nested in its CA.</summary>
public static class CertificateIssuer
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>A self-signed CA (pathLen 0) valid from <c>now − BackDate</c> for <c>CaLifetime</c>, with its private key.</summary>
    public static X509Certificate2 CreateCa(DateTimeOffset now, CertificateSettings settings)
    {
        now = now.ToUniversalTime().TruncateToSeconds();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // A distinct subject per generation keeps chain building unambiguous while two CAs are in the bundle.
        var request = new CertificateRequest($"CN={settings.CaCommonNamePrefix}@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(0));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var notBefore = now - settings.BackDate;
        return request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), notBefore, now + settings.CaLifetime, NewSerial())
            .CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A serving certificate signed by <paramref name="ca"/>, with its private key. NotBefore = max(now − BackDate,
    /// CA NotBefore) and NotAfter = min(now + LeafLifetime, CA NotAfter): the clamps keep a skewed CA from making
    /// issuance throw and the leaf from outliving its CA.
    /// </summary>
    public static X509Certificate2 IssueLeaf(X509Certificate2 ca, DateTimeOffset now, CertificateSettings settings)
    {
        if (!ca.HasPrivateKey) throw new ArgumentException("The CA certificate has no private key.", nameof(ca));
        now = now.ToUniversalTime().TruncateToSeconds();
        var caNotBefore = ca.NotBeforeUtc();
        var caNotAfter = ca.NotAfterUtc();
        var notBefore = Max(now - settings.BackDate, caNotBefore);
        var notAfter = Min(now + settings.LeafLifetime, caNotAfter);
        if (notAfter <= notBefore || notAfter <= now)
        {
            throw new InvalidOperationException($"The CA (valid {caNotBefore:O} to {caNotAfter:O}) cannot sign a leaf valid now ({now:O}).");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={settings.ServiceName}.{settings.Namespace}.svc", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in settings.LeafDnsNames) san.AddDnsName(dns);
        foreach (var ip in settings.LeafIpAddresses()) san.AddIpAddress(ip);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForEndEntity(critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = request.Create(ca, notBefore, notAfter, NewSerial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>16 random bytes with the top bit cleared: unique and positive.</summary>
    public static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        // A leading zero byte would be dropped by DER; keep 16 significant bytes.
        if (serial[0] == 0) serial[0] = 0x01;
        return serial;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
