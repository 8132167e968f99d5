using System.Security.Cryptography;
using System.Text;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Deterministic names and label values for the RBAC objects the operator generates.</summary>
public static class GeneratedNames
{
    public const int MaxObjectNameLength = 253;
    public const int MaxLabelValueLength = 63;
    private const int HashLength = 10;

    public const string ClusterRolePrefix = "gmsa-operator:use:";
    public const string RoleBindingPrefix = "gmsa-operator:";

    /// <summary>The ClusterRole granting <c>use</c> of one credential spec (shared by every binding naming it).</summary>
    public static string ClusterRoleFor(string credentialSpecName) => Fit(ClusterRolePrefix, credentialSpecName, MaxObjectNameLength);

    /// <summary>The RoleBinding generated for one GmsaBinding, in the binding's namespace.</summary>
    public static string RoleBindingFor(string bindingName) => Fit(RoleBindingPrefix, bindingName, MaxObjectNameLength);

    /// <summary>A label value (≤ 63 chars, alphanumeric at both ends) naming an object whose name may be longer.</summary>
    public static string LabelValue(string name) => Fit("", name, MaxLabelValueLength);

    /// <summary>prefix + name when it fits; otherwise a truncated name plus a hash of the full name, so two
    /// different long names never map to the same result.</summary>
    private static string Fit(string prefix, string name, int max)
    {
        if (prefix.Length + name.Length <= max) return prefix + name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..HashLength];
        var keep = name[..(max - prefix.Length - HashLength - 1)].TrimEnd('-', '.', '_');
        return $"{prefix}{keep}-{hash}";
    }
}
