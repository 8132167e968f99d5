using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Checks a serving certificate: usable key, a server (not CA) certificate, valid now, the expected SANs.</summary>
public static class LeafValidator
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>Null if the leaf is fine at <paramref name="now"/> (and still for <paramref name="minimumRemaining"/>), else why not.</summary>
    public static string? Check(X509Certificate2 leaf, CertificateSettings settings, DateTimeOffset now, TimeSpan minimumRemaining)
    {
        if (!leaf.HasPrivateKey) return "the certificate has no private key";
        if (leaf.IsCertificateAuthority()) return "the serving certificate is a CA certificate";
        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku
            && !eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ServerAuthOid))
        {
            return "the serving certificate lacks the serverAuth extended key usage";
        }
        if (leaf.NotBeforeUtc() > now) return $"the serving certificate is not valid before {leaf.NotBeforeUtc():O}";
        if (leaf.NotAfterUtc() <= now + minimumRemaining) return $"the serving certificate expires at {leaf.NotAfterUtc():O}";

        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null) return "the serving certificate has no subject alternative names";
        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = settings.LeafDnsNames.Where(n => !dns.Contains(n)).ToList();
        var ips = san.EnumerateIPAddresses().ToHashSet();
        missing.AddRange(settings.LeafIpAddresses().Where(ip => !ips.Contains(ip)).Select(ip => ip.ToString()));
        return missing.Count == 0 ? null : $"the serving certificate lacks the SANs {string.Join(", ", missing)}";
    }

    /// <summary>Full check for serving: <see cref="Check"/> plus an issuer in <paramref name="bundle"/>; returns the issuer.</summary>
    public static X509Certificate2? CheckWithIssuer(X509Certificate2 leaf, TrustBundle bundle, CertificateSettings settings, DateTimeOffset now,
        TimeSpan minimumRemaining, out string? problem)
    {
        problem = Check(leaf, settings, now, minimumRemaining);
        if (problem is not null) return null;
        var issuer = bundle.FindIssuer(leaf, now);
        if (issuer is null) problem = "the serving certificate does not chain to a CA in the published bundle";
        return issuer;
    }
}
