using System.Text.Json.Serialization;

namespace GmsaOperator.Entities.CredentialSpecs;

// The credential spec document as New-CredentialSpec writes it. Property names are PascalCase on the wire and
// exactly the upstream CRD's: the API server prunes anything not listed here.

/// <summary>The value of <c>credspec</c>.</summary>
public sealed class CredentialSpecDocument
{
    [JsonPropertyName("ActiveDirectoryConfig")]
    public ActiveDirectoryConfig? ActiveDirectoryConfig { get; set; }

    [JsonPropertyName("CmsPlugins")]
    public IList<string>? CmsPlugins { get; set; }

    [JsonPropertyName("DomainJoinConfig")]
    public DomainJoinConfig? DomainJoinConfig { get; set; }
}

/// <summary>The GMSA accounts and, for non-domain-joined hosts, the CCG plugin configuration.</summary>
public sealed class ActiveDirectoryConfig
{
    [JsonPropertyName("GroupManagedServiceAccounts")]
    public IList<GroupManagedServiceAccount>? GroupManagedServiceAccounts { get; set; }

    [JsonPropertyName("HostAccountConfig")]
    public HostAccountConfig? HostAccountConfig { get; set; }
}

/// <summary>One GMSA account name and the scope (NetBIOS or DNS domain name) it is valid in.</summary>
public sealed class GroupManagedServiceAccount
{
    [JsonPropertyName("Name")]
    public string? Name { get; set; }

    [JsonPropertyName("Scope")]
    public string? Scope { get; set; }
}

/// <summary>Container Credential Guard plugin settings for hosts that are not domain-joined.</summary>
public sealed class HostAccountConfig
{
    [JsonPropertyName("PluginGUID")]
    public string? PluginGuid { get; set; }

    [JsonPropertyName("PluginInput")]
    public string? PluginInput { get; set; }

    [JsonPropertyName("PortableCcgVersion")]
    public string? PortableCcgVersion { get; set; }
}

/// <summary>The domain the GMSA account belongs to.</summary>
public sealed class DomainJoinConfig
{
    [JsonPropertyName("DnsName")]
    public string? DnsName { get; set; }

    [JsonPropertyName("DnsTreeName")]
    public string? DnsTreeName { get; set; }

    [JsonPropertyName("Guid")]
    public string? Guid { get; set; }

    [JsonPropertyName("MachineAccountName")]
    public string? MachineAccountName { get; set; }

    [JsonPropertyName("NetBiosName")]
    public string? NetBiosName { get; set; }

    [JsonPropertyName("Sid")]
    public string? Sid { get; set; }
}
