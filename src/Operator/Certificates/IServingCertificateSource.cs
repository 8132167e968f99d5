using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// What the webhook HTTPS listener consumes: the current serving certificate (hot-swapped in memory), Kestrel TLS
/// wiring through a handshake callback, the published CA bundle and certificate readiness.
/// </summary>
public interface IServingCertificateSource
{
    /// <summary>The certificate served to new handshakes, or null before the first valid one is loaded.</summary>
    ServingCertificate? Current { get; }

    /// <summary>The CA bundle the serving certificate chains to (raw PEM; for url-mode registrations and diagnostics).</summary>
    byte[] GetCaBundlePem();

    /// <summary>TLS 1.2/1.3 handshake options returning the current snapshot's pre-built certificate context.</summary>
    TlsHandshakeCallbackOptions CreateHandshakeOptions();

    /// <summary>Makes <paramref name="listen"/> an HTTPS endpoint served from this source (<c>UseHttps(TlsHandshakeCallbackOptions)</c>).</summary>
    void ConfigureHttps(ListenOptions listen);

    /// <summary>Ready: a certificate is loaded, valid for a while longer, and its issuer is in every observed caBundle.</summary>
    bool IsReady(out string reason);
}

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
