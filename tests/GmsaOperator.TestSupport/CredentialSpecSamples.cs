namespace GmsaOperator.TestSupport;

/// <summary>Credential-spec files as users have them.</summary>
public static class CredentialSpecSamples
{
    /// <summary>The Kubernetes GMSA documentation's credential spec for WebApp1, as New-CredentialSpec writes it (PowerShell's indentation).</summary>
    public const string Documentation = """
        {
            "CmsPlugins":  [
                               "ActiveDirectory"
                           ],
            "DomainJoinConfig":  {
                                     "Sid":  "S-1-5-21-2126449477-2524075714-3094792973",
                                     "MachineAccountName":  "WebApp1",
                                     "Guid":  "244818ae-87ac-4fcd-92ec-e79e5252348a",
                                     "DnsTreeName":  "contoso.com",
                                     "DnsName":  "contoso.com",
                                     "NetBiosName":  "CONTOSO"
                                 },
            "ActiveDirectoryConfig":  {
                                          "GroupManagedServiceAccounts":  [
                                                                              {
                                                                                  "Name":  "WebApp1",
                                                                                  "Scope":  "CONTOSO"
                                                                              },
                                                                              {
                                                                                  "Name":  "WebApp1",
                                                                                  "Scope":  "contoso.com"
                                                                              }
                                                                          ]
                                      }
        }
        """;
}
