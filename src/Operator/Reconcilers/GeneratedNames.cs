using System.Security.Cryptography;
using System.Text;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>
/// Deterministic names and label values for the RBAC objects the operator generates. Injective: a name that fits is
/// used verbatim (prefix + name); a name that does not is cut and gets <see cref="TruncationMarker"/> plus a hash of the
/// full name. Source names are DNS subdomains (lowercase alphanumerics, '-' and '.'), so they never contain the marker:
/// a truncated result can never equal another source's verbatim one.
/// </summary>
public static class GeneratedNames
{
    public const int MaxObjectNameLength = 253;
    public const int MaxLabelValueLength = 63;

    /// <summary>Valid in RBAC object names and label values, impossible in a GmsaBinding's or credential spec's name.</summary>
    public const char TruncationMarker = '_';

    // 128 bits in object names: a crafted pair of long names with the same cut and hash is out of reach. Label values
    // only select, they do not identify an owner, and have far less room.
    private const int ObjectHashLength = 32;
    private const int LabelHashLength = 16;
    private const int LegacyHashLength = 10;

    public const string ClusterRolePrefix = "gmsa-operator:use:";
    public const string RoleBindingPrefix = "gmsa-operator:";

    /// <summary>The ClusterRole granting <c>use</c> of one credential spec (shared by every binding naming it).</summary>
    public static string ClusterRoleFor(string credentialSpecName) => Fit(ClusterRolePrefix, credentialSpecName, MaxObjectNameLength, ObjectHashLength);

    /// <summary>The RoleBinding generated for one GmsaBinding, in the binding's namespace.</summary>
    public static string RoleBindingFor(string bindingName) => Fit(RoleBindingPrefix, bindingName, MaxObjectNameLength, ObjectHashLength);

    /// <summary>A label value (≤ 63 chars, alphanumeric at both ends) naming an object whose name may be longer.</summary>
    public static string LabelValue(string name) => Fit("", name, MaxLabelValueLength, LabelHashLength);

    /// <summary>
    /// The name an earlier release gave the ClusterRole of a long credential spec name (cut + '-' + 10-hex hash, which
    /// could collide with a short name), or null when it is the same as today's. Objects still owned by the credential
    /// spec under that name are deleted after an upgrade.
    /// </summary>
    public static string? LegacyClusterRoleFor(string credentialSpecName) => Legacy(ClusterRolePrefix, credentialSpecName);

    /// <summary>The earlier release's RoleBinding name for a long binding name, or null when it is today's name.</summary>
    public static string? LegacyRoleBindingFor(string bindingName) => Legacy(RoleBindingPrefix, bindingName);

    /// <summary>True for a name this class cut (it carries the marker after the prefix).</summary>
    public static bool IsTruncated(string generated, string prefix) =>
        generated.StartsWith(prefix, StringComparison.Ordinal) && generated.IndexOf(TruncationMarker, prefix.Length) >= 0;

    private static string Fit(string prefix, string name, int max, int hashLength)
    {
        if (prefix.Length + name.Length <= max) return prefix + name;
        var keep = name[..(max - prefix.Length - hashLength - 1)].TrimEnd('-', '.', TruncationMarker);
        return $"{prefix}{keep}{TruncationMarker}{Hash(name, hashLength)}";
    }

    private static string? Legacy(string prefix, string name)
    {
        if (prefix.Length + name.Length <= MaxObjectNameLength) return null;
        var keep = name[..(MaxObjectNameLength - prefix.Length - LegacyHashLength - 1)].TrimEnd('-', '.', '_');
        return $"{prefix}{keep}-{Hash(name, LegacyHashLength)}";
    }

    private static string Hash(string name, int length) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..length];
}
