using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Reads and builds the CA Secret and the serving Secret (type kubernetes.io/tls, PEM, PKCS#8).</summary>
public static class CertificateSecrets
{
    public const string ManagedByLabel = Entities.Deployment.OperatorDeployment.ManagedByLabel;
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string TlsCrt = "tls.crt";
    public const string TlsKey = "tls.key";
    public const string CaCrt = "ca.crt";

    /// <summary>The value under <paramref name="key"/>, or null (Kubernetes models expose IDictionary).</summary>
    internal static T? Value<T>(this IDictionary<string, T>? dictionary, string key)
        where T : class => dictionary is not null && dictionary.TryGetValue(key, out var v) ? v : null;

    public static bool IsOurs(V1Secret secret, CertificateSettings settings) =>
        secret.Metadata?.Labels is { } labels && labels.TryGetValue(ManagedByLabel, out var v) && v == settings.ManagedBy;

    public static CaSecretState ParseCa(V1Secret? secret, CertificateSettings settings, DateTimeOffset now)
    {
        if (secret is null) return new(SecretCondition.Missing, null, null, TrustBundle.Empty, false, 0, "the CA Secret does not exist");
        var rv = secret.Metadata?.ResourceVersion;
        var foreign = !IsOurs(secret, settings);
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        var rawCerts = Pem.ParseCertificates(data.Value(CaCrt), out var bundleGarbage);
        var raw = TrustBundle.From(rawCerts, now);
        var extras = bundleGarbage || rawCerts.Count != raw.Certificates.Count;
        var condition = foreign ? SecretCondition.Foreign : SecretCondition.Unusable;
        var annotations = secret.Metadata?.Annotations ?? new Dictionary<string, string>();
        long.TryParse(annotations.Value(settings.CaGenerationAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var generation);

        var ca = Pem.LoadPair(data.Value(TlsCrt), data.Value(TlsKey), out var problem);
        if (ca is null) return new(condition, rv, null, raw, extras, generation, problem);
        if (!ca.IsCertificateAuthority()) return new(condition, rv, null, raw, extras, generation, "tls.crt is not a CA certificate");
        // Tolerate a CA from a writer whose clock is ahead by up to the back-dating margin; leaf issuance clamps to it.
        if (ca.NotBeforeUtc() > now + settings.BackDate) return new(condition, rv, null, raw, extras, generation, $"the CA is not valid before {ca.NotBeforeUtc():O}");
        if (ca.NotAfterUtc() <= now) return new(condition, rv, null, raw, extras, generation, $"the CA expired at {ca.NotAfterUtc():O}");

        var publishedAt = DateTimeOffset.TryParse(annotations.Value(settings.BundlePublishedAtAnnotation), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var p) ? p.ToUniversalTime() : (DateTimeOffset?)null;
        // Without a stamp (foreign or hand-edited Secret) the bundle is taken as published long enough ago.
        var material = new CaMaterial(ca, raw, generation, publishedAt ?? DateTimeOffset.MinValue);
        return new(foreign ? SecretCondition.Foreign : SecretCondition.Usable, rv, material, raw, extras, generation, null);
    }

    public static ServingSecretState ParseServing(V1Secret? secret, CertificateSettings settings, DateTimeOffset now)
    {
        if (secret is null) return new(SecretCondition.Missing, null, null, "the serving Secret does not exist");
        var rv = secret.Metadata?.ResourceVersion;
        var condition = IsOurs(secret, settings) ? SecretCondition.Unusable : SecretCondition.Foreign;
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        var leaf = Pem.LoadPair(data.Value(TlsCrt), data.Value(TlsKey), out var problem);
        if (leaf is null) return new(condition, rv, null, problem);
        var leafProblem = LeafValidator.Check(leaf, settings, now, TimeSpan.Zero);
        if (leafProblem is not null) return new(condition, rv, null, leafProblem);
        return new(condition == SecretCondition.Foreign ? SecretCondition.Foreign : SecretCondition.Usable, rv, leaf, null);
    }

    public static V1Secret BuildCa(CaMaterial material, string? resourceVersion, CertificateSettings settings) =>
        TlsSecret(settings.CaSecretName, "webhook-ca", resourceVersion, settings, material.Certificate, material.Bundle.ToPemBytes(),
            new Dictionary<string, string>
            {
                [settings.CaGenerationAnnotation] = material.Generation.ToString(CultureInfo.InvariantCulture),
                [settings.BundlePublishedAtAnnotation] = material.BundlePublishedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            });

    public static V1Secret BuildServing(LeafMaterial material, string? resourceVersion, CertificateSettings settings) =>
        TlsSecret(settings.ServingSecretName, "webhook-tls", resourceVersion, settings, material.Certificate,
            Pem.Bytes(material.Issuer.ExportCertificatePem() + "\n"),
            new Dictionary<string, string> { [settings.IssuerSha256Annotation] = material.Issuer.Sha256() });

    /// <summary>A managed <c>kubernetes.io/tls</c> Secret: the certificate with its PKCS#8 key, and <paramref name="caCrt"/> as <c>ca.crt</c>.</summary>
    private static V1Secret TlsSecret(string name, string component, string? resourceVersion, CertificateSettings settings,
        X509Certificate2 certificate, byte[] caCrt, Dictionary<string, string> annotations) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "kubernetes.io/tls",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = settings.Namespace,
            ResourceVersion = resourceVersion,
            Labels = new Dictionary<string, string> { [ManagedByLabel] = settings.ManagedBy, [ComponentLabel] = component },
            Annotations = annotations,
        },
        Data = new Dictionary<string, byte[]>
        {
            [TlsCrt] = Pem.Bytes(certificate.ExportCertificatePem() + "\n"),
            [TlsKey] = Pem.Bytes(Pem.ExportPrivateKey(certificate) + "\n"),
            [CaCrt] = caCrt,
        },
    };

    /// <summary>The issuing CA the serving Secret names in <c>ca.crt</c>, if it parses.</summary>
    public static X509Certificate2? ServingIssuerHint(V1Secret? secret) =>
        secret?.Data?.Value(CaCrt) is { } pem ? Pem.ParseCertificates(pem, out _).FirstOrDefault() : null;
}
