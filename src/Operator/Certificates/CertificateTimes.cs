using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Operator.Certificates;

/// <summary>UTC views of certificate dates (X509Certificate2 exposes local DateTime) and identity helpers.</summary>
public static class CertificateTimes
{
    public static DateTimeOffset NotBeforeUtc(this X509Certificate2 c) => new DateTimeOffset(c.NotBefore).ToUniversalTime();

    public static DateTimeOffset NotAfterUtc(this X509Certificate2 c) => new DateTimeOffset(c.NotAfter).ToUniversalTime();

    /// <summary>Lower-case hex SHA-256 of the DER encoding.</summary>
    public static string Sha256(this X509Certificate2 c) => c.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();

    /// <summary>The instant renewal is due: when less than a third of the certificate's life remains.</summary>
    public static DateTimeOffset RenewAt(this X509Certificate2 c)
    {
        var notBefore = c.NotBeforeUtc();
        var life = c.NotAfterUtc() - notBefore;
        return notBefore + life * 2 / 3;
    }

    /// <summary>Basic constraints CA=true and, if key usage is present, keyCertSign.</summary>
    public static bool IsCertificateAuthority(this X509Certificate2 c)
    {
        if (c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true }) return false;
        var keyUsage = c.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        return keyUsage is null || (keyUsage.KeyUsages & X509KeyUsageFlags.KeyCertSign) != 0;
    }

    internal static DateTimeOffset TruncateToSeconds(this DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);
}
