using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GmsaOperator.Operator.Certificates;

/// <summary>PEM encoding of certificates and PKCS#8 keys (never PFX).</summary>
public static class Pem
{
    /// <summary>All certificates in a PEM text; <paramref name="garbage"/> is true if anything else (or a broken block) is there.</summary>
    public static IReadOnlyList<X509Certificate2> ParseCertificates(ReadOnlySpan<char> pem, out bool garbage)
    {
        var result = new List<X509Certificate2>();
        garbage = false;
        while (PemEncoding.TryFind(pem, out var fields))
        {
            if (!pem[..fields.Location.Start].IsWhiteSpace()) garbage = true;
            var label = pem[fields.Label];
            if (label.SequenceEqual("CERTIFICATE"))
            {
                try
                {
                    var der = Convert.FromBase64String(pem[fields.Base64Data].ToString());
                    result.Add(X509CertificateLoader.LoadCertificate(der));
                }
                catch (CryptographicException)
                {
                    garbage = true;
                }
            }
            else
            {
                garbage = true;
            }
            pem = pem[fields.Location.End..];
        }
        if (!pem.IsWhiteSpace()) garbage = true;
        return result;
    }

    public static IReadOnlyList<X509Certificate2> ParseCertificates(byte[]? pem, out bool garbage)
    {
        if (pem is null || pem.Length == 0)
        {
            garbage = false;
            return [];
        }
        return ParseCertificates(Encoding.ASCII.GetString(pem), out garbage);
    }

    /// <summary>A certificate with its private key from PEM; null with a reason when they are missing, broken or do not match.</summary>
    public static X509Certificate2? LoadPair(byte[]? certificatePem, byte[]? keyPem, out string? problem)
    {
        if (certificatePem is null || certificatePem.Length == 0)
        {
            problem = "tls.crt is missing";
            return null;
        }
        if (keyPem is null || keyPem.Length == 0)
        {
            problem = "tls.key is missing";
            return null;
        }
        var certificates = ParseCertificates(certificatePem, out var garbage);
        if (certificates.Count != 1 || garbage)
        {
            problem = $"tls.crt must hold exactly one PEM certificate (found {certificates.Count}{(garbage ? " and unparsable data" : "")})";
            return null;
        }
        var keyText = Encoding.ASCII.GetString(keyPem);
        if (!keyText.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            problem = "tls.key must be a PEM PKCS#8 private key";
            return null;
        }
        try
        {
            var pair = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(certificatePem), keyText);
            problem = null;
            return pair;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            problem = $"tls.crt/tls.key do not form a key pair: {e.Message}";
            return null;
        }
    }

    public static string ExportCertificates(IEnumerable<X509Certificate2> certificates)
    {
        var sb = new StringBuilder();
        foreach (var c in certificates) sb.Append(c.ExportCertificatePem()).Append('\n');
        return sb.ToString();
    }

    /// <summary>The certificate's private key as PEM PKCS#8 (<c>PRIVATE KEY</c>).</summary>
    public static string ExportPrivateKey(X509Certificate2 certificate)
    {
        if (certificate.GetECDsaPrivateKey() is { } ec)
        {
            using (ec) return ec.ExportPkcs8PrivateKeyPem();
        }
        if (certificate.GetRSAPrivateKey() is { } rsa)
        {
            using (rsa) return rsa.ExportPkcs8PrivateKeyPem();
        }
        throw new InvalidOperationException("The certificate has no exportable ECDSA or RSA private key.");
    }

    public static byte[] Bytes(string pem) => Encoding.ASCII.GetBytes(pem);
}
