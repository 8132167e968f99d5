namespace GmsaOperator.Entities.Generation;

/// <summary>Patterns for Kubernetes object names, as the API server validates them.</summary>
public static class NamePatterns
{
    /// <summary>RFC 1123 DNS subdomain (object names, service-account names): at most 253 characters.</summary>
    public const string Dns1123Subdomain = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    public const int Dns1123SubdomainMaxLength = 253;
}
