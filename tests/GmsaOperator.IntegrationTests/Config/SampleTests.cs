using System.Text.Json;
using GmsaOperator.Entities.CredentialSpecs;
using k8s;
using k8s.Autorest;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>config/samples applies once the CRDs are installed.</summary>
public sealed class SampleTests : IntegrationTest
{
    [Test]
    public async Task SamplesApplyWithCrdsInstalled()
    {
        // The samples are fixed objects (a cluster-scoped credspec and objects in `default`): remember what already
        // existed so only what this test created is removed again.
        var preexisting = new Dictionary<string, bool>
        {
            ["gmsacredentialspec.windows.k8s.io/gmsa-webapp1"] = await ExistsAsync(() => Client.CustomObjects.GetClusterCustomObjectAsync(
                GmsaCredentialSpec.ApiGroup, "v1", GmsaCredentialSpec.Plural, "gmsa-webapp1")),
            ["gmsabinding.gmsa.dev/webapp1-default"] = await ExistsAsync(() => Client.CustomObjects.GetNamespacedCustomObjectAsync(
                "gmsa.dev", "v1alpha1", "default", "gmsabindings", "webapp1-default")),
            ["deployment.apps/with-creds"] = await ExistsAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync("with-creds", "default")),
        };
        try
        {
            // A just-installed CRD can take a moment before kubectl's discovery sees it.
            await Eventually.HoldsAsync(async ct =>
            {
                var result = await Kubectl.RunAsync(["apply", "-k", RepositoryRoot.Config("samples")], cancellationToken: ct);
                return result.ExitCode == 0 ? result : throw new InvalidOperationException(result.ToString());
            }, TimeSpan.FromSeconds(30), "kubectl apply -k config/samples to succeed");

            var credspec = (JsonElement)await Client.CustomObjects.GetClusterCustomObjectAsync(GmsaCredentialSpec.ApiGroup, "v1", GmsaCredentialSpec.Plural, "gmsa-webapp1");
            var domain = credspec.GetProperty("credspec").GetProperty("DomainJoinConfig");
            Assert.That(domain.GetProperty("Guid").GetString(), Is.EqualTo("244818ae-87ac-4fcd-92ec-e79e5252348a"));
            Assert.That(domain.GetProperty("Sid").GetString(), Is.EqualTo("S-1-5-21-2126449477-2524075714-3094792973"));
            Assert.That(credspec.GetProperty("credspec").GetProperty("ActiveDirectoryConfig").GetProperty("GroupManagedServiceAccounts").GetArrayLength(), Is.EqualTo(2));

            var binding = (JsonElement)await Client.CustomObjects.GetNamespacedCustomObjectAsync("gmsa.dev", "v1alpha1", "default", "gmsabindings", "webapp1-default");
            Assert.That(binding.GetProperty("spec").GetProperty("credentialSpecName").GetString(), Is.EqualTo("gmsa-webapp1"));

            var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("with-creds", "default");
            Assert.That(deployment.Spec.Template.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpecName, Is.EqualTo("gmsa-webapp1"));

            var columns = await Kubectl.SucceedAsync("get", "gmsacredentialspecs", "gmsa-webapp1");
            Assert.That(columns.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3], Is.EqualTo(new[] { "gmsa-webapp1", "WebApp1", "contoso.com" }), columns);
        }
        finally
        {
            foreach (var (resource, existed) in preexisting.Where(p => !p.Value))
            {
                var ns = resource.StartsWith("gmsacredentialspec", StringComparison.Ordinal) ? [] : new[] { "-n", "default" };
                await Kubectl.RunAsync(["delete", resource, "--ignore-not-found", "--wait=false", .. ns]);
            }
        }
    }

    private static async Task<bool> ExistsAsync(Func<Task> read)
    {
        try
        {
            await read();
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
