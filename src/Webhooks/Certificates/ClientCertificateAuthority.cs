using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Webhooks.Certificates;

/// <summary>
/// The CA certificate(s) of <c>Webhooks:ClientCaFile</c>: the only trust anchors a caller's client certificate may
/// chain to. System roots are never trusted, revocation is not checked (the API server's client CAs publish no CRLs)
/// and nothing is downloaded.
/// </summary>
public sealed class ClientCertificateAuthority : IDisposable
{
    /// <summary>A CA bundle is a few KiB; anything this large is not one.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection _anchors;

    private ClientCertificateAuthority(X509Certificate2Collection anchors) => _anchors = anchors;

    /// <summary><c>subject (sha256 fingerprint)</c> of every anchor, for logs; never the certificate itself.</summary>
    public IReadOnlyList<string> Describe() =>
        [.. _anchors.Select(a => $"{a.Subject} (sha256 {Convert.ToHexStringLower(SHA256.HashData(a.RawDataMemory.Span))})")];

    /// <summary>Reads and checks <paramref name="path"/>; null with a one-sentence <paramref name="problem"/> when it cannot serve as the client CA.</summary>
    public static ClientCertificateAuthority? TryLoad(string path, DateTimeOffset now, out string? problem)
    {
        string pem;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                problem = "the file does not exist";
                return null;
            }
            if (info.Length > MaxFileBytes)
            {
                problem = $"the file is larger than {MaxFileBytes} bytes";
                return null;
            }
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            problem = $"the file cannot be read ({e.GetType().Name})";
            return null;
        }
        return TryParse(pem, now, out problem);
    }

    /// <summary>Checks PEM text: only certificates, at least one, every one a CA, at least one valid now.</summary>
    public static ClientCertificateAuthority? TryParse(string pem, DateTimeOffset now, out string? problem)
    {
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            problem = "the file holds a private key; it must hold only the CA certificate(s)";
            return null;
        }
        var anchors = new X509Certificate2Collection();
        try
        {
            anchors.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            DisposeAll(anchors);
            problem = "the file is not PEM-encoded X.509 certificates";
            return null;
        }
        problem = anchors.Count == 0 ? "the file holds no PEM certificate"
            : anchors.FirstOrDefault(a => !IsCa(a)) is { } leaf ? $"'{leaf.Subject}' is not a CA certificate (basic constraints CA:TRUE)"
            : !anchors.Any(a => a.NotBefore <= now.UtcDateTime && now.UtcDateTime <= a.NotAfter) ? "no certificate in the file is valid now"
            : null;
        if (problem is null) return new ClientCertificateAuthority(anchors);
        DisposeAll(anchors);
        return null;
    }

    /// <summary>
    /// True when <paramref name="presented"/> chains to one of the anchors at <paramref name="now"/> and may authenticate
    /// clients. <paramref name="presentedChain"/> (the TLS layer's chain) only contributes the intermediates the client sent.
    /// </summary>
    public bool Accepts(X509Certificate? presented, X509Chain? presentedChain, DateTimeOffset now, out string problem)
    {
        if (presented is null)
        {
            problem = "no client certificate";
            return false;
        }
        var leaf = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        try
        {
            // A client presents an end-entity certificate, never a CA (one in the CA file would otherwise chain to itself).
            if (IsCa(leaf))
            {
                problem = "a CA certificate is not a client certificate";
                return false;
            }
            var policy = chain.ChainPolicy;
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(_anchors);
            policy.RevocationMode = X509RevocationMode.NoCheck;
            policy.DisableCertificateDownloads = true;
            policy.VerificationTime = now.UtcDateTime;
            policy.ApplicationPolicy.Add(ClientAuthentication);
            if (presentedChain is not null)
            {
                policy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
                foreach (var element in presentedChain.ChainElements.Skip(1)) policy.ExtraStore.Add(element.Certificate);
            }
            if (!chain.Build(leaf))
            {
                problem = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
                return false;
            }
            // CustomRootTrust already requires this; checked again so no platform quirk can widen the trust.
            var root = chain.ChainElements[^1].Certificate;
            if (!_anchors.Any(a => a.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span)))
            {
                problem = "the chain does not end at the configured CA";
                return false;
            }
            problem = "";
            return true;
        }
        finally
        {
            foreach (var element in chain.ChainElements) element.Certificate.Dispose();
            if (!ReferenceEquals(leaf, presented)) leaf.Dispose();
        }
    }

    public void Dispose() => DisposeAll(_anchors);

    private static void DisposeAll(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates) certificate.Dispose();
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
}
