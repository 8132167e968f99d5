using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using k8s.Models;

namespace GmsaOperator.Operator.Generation;

/// <summary>
/// <c>config/samples</c>: the Kubernetes GMSA documentation's example — credential spec <c>gmsa-WebApp1</c> (lower-cased:
/// object names must be RFC 1123), a GmsaBinding letting <c>default</c> in <c>default</c> use it, and the IIS Deployment
/// <c>with-creds</c> referencing it at pod level.
/// </summary>
public static class SampleManifests
{
    public const string CredentialSpecName = "gmsa-webapp1";

    public static IEnumerable<GeneratedFile> Files()
    {
        var files = new List<GeneratedFile>
        {
            GeneratedFile.Yaml("samples/windows.k8s.io_v1_gmsacredentialspec.yaml", CredentialSpec()),
            GeneratedFile.Yaml("samples/gmsa.dev_v1alpha1_gmsabinding.yaml", new GmsaBinding
            {
                Metadata = new V1ObjectMeta { Name = "webapp1-default", NamespaceProperty = "default" },
                Spec = new GmsaBindingSpec { CredentialSpecName = CredentialSpecName, ServiceAccounts = ["default"] },
            }),
            GeneratedFile.Yaml("samples/apps_v1_deployment_with-creds.yaml", Deployment()),
        };
        return [.. files, Kustomization.File("samples", files.Select(f => f.Path["samples/".Length..]))];
    }

    public static GmsaCredentialSpec CredentialSpec() => new()
    {
        Metadata = new V1ObjectMeta { Name = CredentialSpecName },
        CredSpec = new CredentialSpecDocument
        {
            ActiveDirectoryConfig = new ActiveDirectoryConfig
            {
                GroupManagedServiceAccounts =
                [
                    new GroupManagedServiceAccount { Name = "WebApp1", Scope = "CONTOSO" },
                    new GroupManagedServiceAccount { Name = "WebApp1", Scope = "contoso.com" },
                ],
            },
            CmsPlugins = ["ActiveDirectory"],
            DomainJoinConfig = new DomainJoinConfig
            {
                DnsName = "contoso.com",
                DnsTreeName = "contoso.com",
                Guid = "244818ae-87ac-4fcd-92ec-e79e5252348a",
                MachineAccountName = "WebApp1",
                NetBiosName = "CONTOSO",
                Sid = "S-1-5-21-2126449477-2524075714-3094792973",
            },
        },
    };

    /// <summary>The documentation's IIS Deployment <c>with-creds</c>, in namespace <c>default</c>.</summary>
    public static V1Deployment Deployment()
    {
        var labels = new Dictionary<string, string> { ["run"] = "with-creds" };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = "with-creds", NamespaceProperty = "default", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        SecurityContext = new V1PodSecurityContext
                        {
                            WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = CredentialSpecName },
                        },
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "iis",
                                Image = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019",
                                ImagePullPolicy = "Always",
                            },
                        ],
                        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" },
                    },
                },
            },
        };
    }
}
