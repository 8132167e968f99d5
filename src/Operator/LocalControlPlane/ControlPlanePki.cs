using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.LocalControlPlane;

/// <summary>Generates the throw-away PKI of a local control plane: a CA, the API server's serving cert, an admin
/// client cert in <c>system:masters</c>, and the service-account signing key pair. Files are PEM.</summary>
public sealed record ControlPlanePki(string CaCert, string ServingCert, string ServingKey, string AdminCert, string AdminKey,
    string ServiceAccountKey, string ServiceAccountPub)
{
    /// <param name="extraServingIps">Further addresses the API server is reached at (the node's bridge gateway).</param>
    public static ControlPlanePki Create(string dir, TimeProvider time, IEnumerable<IPAddress>? extraServingIps = null)
    {
        var now = time.GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("CN=gmsa-operator-local-ca", caKey, now);

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(ClusterNetwork.KubernetesServiceIp);
        foreach (var ip in extraServingIps ?? []) san.AddIpAddress(ip);
        foreach (var name in new[] { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local" })
        {
            san.AddDnsName(name);
        }

        var (servingPem, servingKeyPem) = Issue(ca, caKey, "CN=kube-apiserver", san.Build(), serverAuth: true, now);
        var (adminPem, adminKeyPem) = Issue(ca, caKey, "CN=gmsa-local-admin, O=system:masters", null, serverAuth: false, now);

        using var sa = RSA.Create(2048);
        var pki = new ControlPlanePki(
            Path.Combine(dir, "ca.crt"), Path.Combine(dir, "apiserver.crt"), Path.Combine(dir, "apiserver.key"),
            Path.Combine(dir, "admin.crt"), Path.Combine(dir, "admin.key"), Path.Combine(dir, "sa.key"), Path.Combine(dir, "sa.pub"));
        Write(pki.CaCert, ca.ExportCertificatePem());
        Write(pki.ServingCert, servingPem);
        Write(pki.ServingKey, servingKeyPem);
        Write(pki.AdminCert, adminPem);
        Write(pki.AdminKey, adminKeyPem);
        Write(pki.ServiceAccountKey, sa.ExportRSAPrivateKeyPem());
        Write(pki.ServiceAccountPub, sa.ExportSubjectPublicKeyInfoPem());
        return pki;
    }

    /// <summary>A self-signed CA on <paramref name="key"/>, valid 30 days from an hour ago.</summary>
    internal static X509Certificate2 CreateCa(string subject, ECDsa key, DateTimeOffset now)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));
    }

    internal static (string Cert, string Key) Issue(X509Certificate2 ca, ECDsa caKey, string subject, X509Extension? san, bool serverAuth, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null) req.CertificateExtensions.Add(san);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = req.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddHours(-1), now.AddDays(30), serial);
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    internal static void Write(string path, string pem)
    {
        File.WriteAllText(path, pem + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
