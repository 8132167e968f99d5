using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GmsaOperator.Entities.CredentialSpecs;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>
/// Installing our GMSACredentialSpec CRD over the upstream one keeps every existing credential spec, readable at v1
/// and v1alpha1. Uses the real, shared CRD: it is only ever created or replaced, never deleted, and ours is left
/// installed at the end.
/// </summary>
public sealed class CredentialSpecCrdUpgradeTests : IntegrationTest
{
    private const string CrdName = "gmsacredentialspecs.windows.k8s.io";

    private static V1CustomResourceDefinition UpstreamCrd() => KubernetesYaml.Deserialize<V1CustomResourceDefinition>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Resources", "upstream-gmsacredentialspecs-crd.yaml")));

    private static JsonObject CredentialSpec(string name, string version, string account) => new()
    {
        ["apiVersion"] = $"{GmsaCredentialSpec.ApiGroup}/{version}",
        ["kind"] = GmsaCredentialSpec.EntityKind,
        ["metadata"] = new JsonObject { ["name"] = name },
        ["credspec"] = new JsonObject
        {
            ["ActiveDirectoryConfig"] = new JsonObject
            {
                ["GroupManagedServiceAccounts"] = new JsonArray(
                    new JsonObject { ["Name"] = account, ["Scope"] = "EXAMPLE" },
                    new JsonObject { ["Name"] = account, ["Scope"] = "example.org" }),
                ["HostAccountConfig"] = new JsonObject
                {
                    ["PluginGUID"] = "{CCC2A336-D7F3-4818-A213-272B7924213E}",
                    ["PluginInput"] = "example.org:ccg:<secret>&x",
                    ["PortableCcgVersion"] = "1",
                },
            },
            ["CmsPlugins"] = new JsonArray("ActiveDirectory"),
            ["DomainJoinConfig"] = new JsonObject
            {
                ["DnsName"] = "example.org",
                ["DnsTreeName"] = "example.org",
                ["Guid"] = "11111111-2222-4333-8444-555555555555",
                ["MachineAccountName"] = account,
                ["NetBiosName"] = "EXAMPLE",
                ["Sid"] = "S-1-5-21-1000-2000-3000",
            },
        },
    };

    [Test]
    public async Task UpstreamCrdIsReplacedByOursAndCredentialSpecsSurvive()
    {
        var names = new[] { $"{Namespace}-alpha", $"{Namespace}-v1" };
        try
        {
            await InstallUpstreamAsync();
            // One credential spec written through each version while the upstream CRD is in charge.
            var written = new Dictionary<string, JsonObject>
            {
                [names[0]] = CredentialSpec(names[0], "v1alpha1", "WebApp1"),
                [names[1]] = CredentialSpec(names[1], "v1", "WebApp2"),
            };
            foreach (var (name, body) in written)
            {
                var version = body["apiVersion"]!.GetValue<string>().Split('/')[1];
                await Eventually.HoldsAsync(async ct => await Client.CustomObjects.CreateClusterCustomObjectAsync(body, GmsaCredentialSpec.ApiGroup, version, GmsaCredentialSpec.Plural, cancellationToken: ct),
                    TimeSpan.FromSeconds(30), $"credential spec {name} to be created at {version}");
            }

            await CrdSetup.EnsureInstalledAsync();
            var installed = await Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(CrdName);
            Assert.That(installed.Spec.Versions.Single(v => v.Name == "v1").AdditionalPrinterColumns?.Select(c => c.Name), Does.Contain("Account"),
                "our CRD replaced the upstream one");
            Assert.That(installed.Metadata.Annotations["api-approved.kubernetes.io"], Does.StartWith("https://github.com/kubernetes/enhancements"));

            foreach (var (name, body) in written)
            {
                foreach (var version in new[] { "v1", "v1alpha1" })
                {
                    var read = await Eventually.HoldsAsync(async ct => (object?)await Client.CustomObjects.GetClusterCustomObjectAsync(
                        GmsaCredentialSpec.ApiGroup, version, GmsaCredentialSpec.Plural, name, ct), TimeSpan.FromSeconds(30), $"{name} at {version}");
                    var credspec = JsonNode.Parse(((JsonElement)read).GetProperty("credspec").GetRawText());
                    Assert.That(JsonNode.DeepEquals(credspec, body["credspec"]), Is.True, $"{name} at {version}: {credspec}");
                }
            }

            var kubectl = await Kubectl.SucceedAsync("get", "gmsacredentialspecs", names[1]);
            Assert.That(kubectl, Does.Contain("WebApp2").And.Contain("example.org"), kubectl);
        }
        finally
        {
            foreach (var name in names)
            {
                try
                {
                    await Client.CustomObjects.DeleteClusterCustomObjectAsync(GmsaCredentialSpec.ApiGroup, "v1", GmsaCredentialSpec.Plural, name);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                {
                }
            }
            await CrdSetup.EnsureInstalledAsync();
        }
    }

    /// <summary>Creates the upstream CRD, or replaces whatever is installed with it (never deletes: credspecs would go with it).</summary>
    private static async Task InstallUpstreamAsync()
    {
        var upstream = UpstreamCrd();
        try
        {
            var existing = await Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(CrdName);
            upstream.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await Client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(upstream, CrdName);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(upstream);
        }
        await Eventually.HoldsAsync(async ct =>
        {
            var crd = await Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(CrdName, cancellationToken: ct);
            var established = crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
            return established && crd.Spec.Versions.All(v => v.AdditionalPrinterColumns is null) ? crd : null;
        }, TimeSpan.FromSeconds(30), "the upstream CRD to be installed");
    }
}
