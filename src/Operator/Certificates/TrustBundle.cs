using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// A normalised CA trust bundle: CA certificates only, de-duplicated, unexpired, ordered by NotAfter descending
/// (newest CA first). Compared by content, never by bytes.
/// </summary>
public sealed class TrustBundle
{
    private TrustBundle(IReadOnlyList<X509Certificate2> certificates)
    {
        Certificates = certificates;
        Fingerprints = certificates.Select(c => c.Sha256()).ToHashSet(StringComparer.Ordinal);
    }

    public static TrustBundle Empty { get; } = new([]);

    public IReadOnlyList<X509Certificate2> Certificates { get; }

    public IReadOnlySet<string> Fingerprints { get; }

    public bool IsEmpty => Certificates.Count == 0;

    /// <summary>Normalises: keeps CA certificates that have not expired at <paramref name="now"/>, de-duplicated, newest first.</summary>
    public static TrustBundle From(IEnumerable<X509Certificate2> certificates, DateTimeOffset now)
    {
        var kept = certificates
            .Where(c => c.IsCertificateAuthority() && c.NotAfterUtc() > now)
            .DistinctBy(c => c.Sha256())
            .OrderByDescending(c => c.NotAfterUtc())
            .ThenBy(c => c.Sha256(), StringComparer.Ordinal)
            .ToList();
        return new TrustBundle(kept);
    }

    /// <summary>Parses and normalises PEM bytes; garbage is ignored (callers that care use <see cref="ObservedBundle"/>).</summary>
    public static TrustBundle Parse(byte[]? pem, DateTimeOffset now) => From(Pem.ParseCertificates(pem, out _), now);

    public bool Contains(X509Certificate2 certificate) => Fingerprints.Contains(certificate.Sha256());

    public bool SetEquals(TrustBundle other) => Fingerprints.SetEquals(other.Fingerprints);

    public TrustBundle With(X509Certificate2 certificate, DateTimeOffset now) => From(Certificates.Append(certificate), now);

    public string ToPem() => Pem.ExportCertificates(Certificates);

    public byte[] ToPemBytes() => Pem.Bytes(ToPem());

    /// <summary>The CA in this bundle that signed <paramref name="leaf"/> (verified by chain building at <paramref name="at"/>), or null.</summary>
    public X509Certificate2? FindIssuer(X509Certificate2 leaf, DateTimeOffset at)
    {
        if (IsEmpty) return null;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        foreach (var c in Certificates) chain.ChainPolicy.CustomTrustStore.Add(c);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(leaf) || chain.ChainElements.Count < 2) return null;
        var root = chain.ChainElements[^1].Certificate;
        return Certificates.FirstOrDefault(c => c.Sha256() == root.Sha256());
    }
}

/// <summary>A caBundle as found in a webhook entry: what parsed (unfiltered) and whether anything else was there.</summary>
public sealed record ObservedBundle(IReadOnlyList<X509Certificate2> Certificates, bool Garbage)
{
    public static ObservedBundle Parse(byte[]? pem) => new(Pem.ParseCertificates(pem, out var garbage), garbage);

    /// <summary>Exactly the desired set: no garbage, no expired or foreign extras, nothing missing.</summary>
    public bool IsExactly(TrustBundle desired) =>
        !Garbage && Certificates.Select(c => c.Sha256()).ToHashSet(StringComparer.Ordinal).SetEquals(desired.Fingerprints)
        && Certificates.Count == desired.Certificates.Count;

    public bool Trusts(X509Certificate2 ca) => Certificates.Any(c => c.Sha256() == ca.Sha256());
}
