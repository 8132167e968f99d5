using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>
/// CRDs the webhook tests need, created only if absent and never deleted (other tests share the control plane):
/// a copy of the upstream GMSACredentialSpec CRD and a minimal GmsaBinding CRD (the entities issue installs the real one).
/// </summary>
internal static class WebhookTestCrds
{
    public static async Task EnsureAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        await CreateIfAbsentAsync(client, CredentialSpecCrd(), cancellationToken);
        await CreateIfAbsentAsync(client, GmsaBindingCrd(), cancellationToken);
    }

    private static async Task CreateIfAbsentAsync(IKubernetes client, V1CustomResourceDefinition crd, CancellationToken cancellationToken)
    {
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
        while (true)
        {
            var read = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name, cancellationToken: cancellationToken);
            if (read.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true) return;
            await Task.Delay(100, cancellationToken);
        }
    }

    private static V1JSONSchemaProps Str() => new() { Type = "string" };

    private static V1CustomResourceDefinition CredentialSpecCrd()
    {
        var schema = new V1JSONSchemaProps
        {
            Type = "object",
            Properties = new Dictionary<string, V1JSONSchemaProps>
            {
                ["credspec"] = new()
                {
                    Description = "GMSA Credential Spec",
                    Type = "object",
                    Properties = new Dictionary<string, V1JSONSchemaProps>
                    {
                        ["ActiveDirectoryConfig"] = new()
                        {
                            Type = "object",
                            Properties = new Dictionary<string, V1JSONSchemaProps>
                            {
                                ["GroupManagedServiceAccounts"] = new()
                                {
                                    Type = "array",
                                    Items = new V1JSONSchemaProps { Type = "object", Properties = new Dictionary<string, V1JSONSchemaProps> { ["Name"] = Str(), ["Scope"] = Str() } },
                                },
                                ["HostAccountConfig"] = new()
                                {
                                    Type = "object",
                                    Properties = new Dictionary<string, V1JSONSchemaProps> { ["PluginGUID"] = Str(), ["PluginInput"] = Str(), ["PortableCcgVersion"] = Str() },
                                },
                            },
                        },
                        ["CmsPlugins"] = new() { Type = "array", Items = Str() },
                        ["DomainJoinConfig"] = new()
                        {
                            Type = "object",
                            Properties = new[] { "DnsName", "DnsTreeName", "Guid", "MachineAccountName", "NetBiosName", "Sid" }.ToDictionary(n => n, _ => Str()),
                        },
                    },
                },
            },
        };
        return new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta
            {
                Name = "gmsacredentialspecs.windows.k8s.io",
                Annotations = new Dictionary<string, string> { ["api-approved.kubernetes.io"] = "https://github.com/kubernetes/enhancements/tree/master/keps/sig-windows/689-windows-gmsa" },
            },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "windows.k8s.io",
                Scope = "Cluster",
                Names = new V1CustomResourceDefinitionNames { Kind = "GMSACredentialSpec", Plural = "gmsacredentialspecs" },
                Conversion = new V1CustomResourceConversion { Strategy = "None" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion { Name = "v1alpha1", Served = true, Storage = false, Deprecated = true, Schema = new V1CustomResourceValidation { OpenAPIV3Schema = schema } },
                    new V1CustomResourceDefinitionVersion { Name = "v1", Served = true, Storage = true, Schema = new V1CustomResourceValidation { OpenAPIV3Schema = schema } },
                ],
            },
        };
    }

    private static V1CustomResourceDefinition GmsaBindingCrd() => new()
    {
        Metadata = new V1ObjectMeta { Name = "gmsabindings.gmsa.dev" },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = "gmsa.dev",
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames { Kind = "GmsaBinding", Plural = "gmsabindings", Singular = "gmsabinding", ListKind = "GmsaBindingList" },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = "v1alpha1", Served = true, Storage = true,
                    Schema = new V1CustomResourceValidation
                    {
                        OpenAPIV3Schema = new V1JSONSchemaProps
                        {
                            Type = "object",
                            Properties = new Dictionary<string, V1JSONSchemaProps> { ["spec"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true } },
                        },
                    },
                },
            ],
        },
    };
}
