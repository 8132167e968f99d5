using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Operator.Certificates;

/// <summary>An immutable serving snapshot: leaf with key, its pre-built TLS context and identity; disposed after retirement.</summary>
public sealed class ServingCertificate : IDisposable
{
    internal ServingCertificate(X509Certificate2 certificate, System.Net.Security.SslStreamCertificateContext context, X509Certificate2 issuer)
    {
        Certificate = certificate;
        Context = context;
        Issuer = issuer;
        Fingerprint = certificate.Sha256();
        IssuerFingerprint = issuer.Sha256();
        NotAfter = certificate.NotAfterUtc();
    }

    public X509Certificate2 Certificate { get; }

    public System.Net.Security.SslStreamCertificateContext Context { get; }

    public X509Certificate2 Issuer { get; }

    public string Fingerprint { get; }

    public string IssuerFingerprint { get; }

    public DateTimeOffset NotAfter { get; }

    public void Dispose() => Certificate.Dispose();
}
