using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Operator.Certificates;

/// <summary>The signing CA (with key), the trust bundle published next to it, its generation and when the bundle last changed.</summary>
public sealed record CaMaterial(X509Certificate2 Certificate, TrustBundle Bundle, long Generation, DateTimeOffset BundlePublishedAt);

/// <summary>A serving certificate (with key) and the CA that issued it.</summary>
public sealed record LeafMaterial(X509Certificate2 Certificate, X509Certificate2 Issuer);

/// <summary>What this process last saw valid in the Secrets: restores a deleted Secret without a trust change.</summary>
public sealed record LastGoodMaterial(CaMaterial? Ca, LeafMaterial? Leaf)
{
    public static LastGoodMaterial None { get; } = new(null, null);
}

/// <summary>How a Secret was found.</summary>
public enum SecretCondition
{
    /// <summary>Not there (or not readable yet).</summary>
    Missing,

    /// <summary>Exists without our managed-by label: never written (bring-your-own-certificate).</summary>
    Foreign,

    /// <summary>Ours, but its content cannot be used (see the problem text).</summary>
    Unusable,

    /// <summary>Parsed and valid now.</summary>
    Usable,
}

/// <summary>The CA Secret as parsed.</summary>
public sealed record CaSecretState(SecretCondition Condition, string? ResourceVersion, CaMaterial? Material, TrustBundle RawBundle, bool BundleHadExtras, long Generation, string? Problem);

/// <summary>The serving Secret as parsed.</summary>
public sealed record ServingSecretState(SecretCondition Condition, string? ResourceVersion, X509Certificate2? Leaf, string? Problem);
