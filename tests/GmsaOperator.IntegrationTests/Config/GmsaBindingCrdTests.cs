using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GmsaOperator.Entities.Bindings;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>The generated GmsaBinding CRD, installed on the real API server: validation, status and printer columns.</summary>
public sealed class GmsaBindingCrdTests : IntegrationTest
{
    private Task<object> CreateAsync(JsonObject binding, CancellationToken ct = default) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync(binding, GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, cancellationToken: ct);

    private static JsonObject Binding(string name, JsonNode? spec)
    {
        var binding = new JsonObject
        {
            ["apiVersion"] = $"{GmsaBinding.ApiGroup}/{GmsaBinding.Version}",
            ["kind"] = GmsaBinding.EntityKind,
            ["metadata"] = new JsonObject { ["name"] = name },
        };
        if (spec is not null) binding["spec"] = spec;
        return binding;
    }

    /// <summary>The API server's Status message (the text kubectl shows).</summary>
    private static string Message(HttpOperationException e) =>
        JsonDocument.Parse(e.Response.Content).RootElement.GetProperty("message").GetString() ?? "";

    private static string Repeat(string value, int count) => string.Join(",", Enumerable.Range(0, count).Select(i => $"\"{value}{i}\""));

    [TestCase("{\"serviceAccounts\":[\"default\"]}", "spec.credentialSpecName: Required value", TestName = "MissingCredentialSpecName")]
    [TestCase("{\"credentialSpecName\":\"gmsa-WebApp1\",\"serviceAccounts\":[\"default\"]}", "spec.credentialSpecName: Invalid value: \"gmsa-WebApp1\"", TestName = "UpperCaseCredentialSpecName")]
    [TestCase("{\"credentialSpecName\":\"gmsa_webapp1\",\"serviceAccounts\":[\"default\"]}", "spec.credentialSpecName: Invalid value", TestName = "UnderscoreInCredentialSpecName")]
    [TestCase("{\"credentialSpecName\":\"\",\"serviceAccounts\":[\"default\"]}", "spec.credentialSpecName", TestName = "EmptyCredentialSpecName")]
    [TestCase("{\"credentialSpecName\":\"gmsa-webapp1\"}", "spec.serviceAccounts: Required value", TestName = "MissingServiceAccounts")]
    [TestCase("{\"credentialSpecName\":\"gmsa-webapp1\",\"serviceAccounts\":[]}", "spec.serviceAccounts: Invalid value", TestName = "EmptyServiceAccounts")]
    [TestCase("{\"credentialSpecName\":\"gmsa-webapp1\",\"serviceAccounts\":[\"web\",\"default\",\"web\"]}", "spec.serviceAccounts[2]: Duplicate value: \"web\"", TestName = "DuplicateServiceAccounts")]
    [TestCase("{\"credentialSpecName\":\"gmsa-webapp1\",\"serviceAccounts\":[\"Web App\"]}", "spec.serviceAccounts", TestName = "InvalidServiceAccountName")]
    public async Task InvalidGmsaBindingIsRejectedNamingTheField(string spec, string expected)
    {
        var e = Assert.ThrowsAsync<HttpOperationException>(async () =>
            await EventuallyCreateOrRejectAsync(Binding("invalid", JsonNode.Parse(spec))));
        Assert.That(e!.Response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), e.Response.Content);
        Assert.That(Message(e), Does.Contain(expected));
    }

    [Test]
    public async Task TooManyServiceAccountsAndMissingSpecAreRejected()
    {
        var tooMany = Assert.ThrowsAsync<HttpOperationException>(async () => await EventuallyCreateOrRejectAsync(
            Binding("too-many", JsonNode.Parse($"{{\"credentialSpecName\":\"x\",\"serviceAccounts\":[{Repeat("sa", 257)}]}}"))));
        Assert.That(Message(tooMany!), Does.Contain("spec.serviceAccounts: Invalid value: 257: spec.serviceAccounts in body should have at most 256 items"));

        var noSpec = Assert.ThrowsAsync<HttpOperationException>(async () => await EventuallyCreateOrRejectAsync(Binding("no-spec", null)));
        Assert.That(Message(noSpec!), Does.Contain("spec: Required value"));
    }

    [Test]
    public async Task StatusConditionsMustHaveTheStandardShape()
    {
        await EventuallyCreateOrRejectAsync(Binding("shape", JsonNode.Parse("{\"credentialSpecName\":\"gmsa-webapp1\",\"serviceAccounts\":[\"default\"]}")));
        var badStatus = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "Maybe", ["reason"] = "not camel case!" }),
            },
        };
        var e = Assert.ThrowsAsync<HttpOperationException>(() => Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(badStatus.ToJsonString(), V1Patch.PatchType.MergePatch), GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "shape"));
        // Kubernetes 1.20 reports list items without their index.
        Assert.That(Message(e!), Does.Contain("status.conditions.status: Unsupported value: \"Maybe\""));
        Assert.That(Message(e!), Does.Contain("status.conditions.lastTransitionTime: Required value"));
        Assert.That(Message(e!), Does.Contain("status.conditions.reason: Invalid value"));
    }

    [Test]
    public async Task KubectlGetGmsabShowsPrinterColumns()
    {
        await EventuallyCreateOrRejectAsync(Binding("web", JsonNode.Parse("{\"credentialSpecName\":\"gmsa-webapp1\",\"serviceAccounts\":[\"default\",\"web\"]}")));
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = 1,
                ["stalePods"] = 2,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "True",
                    ["reason"] = "Bound",
                    ["message"] = "bound",
                    ["lastTransitionTime"] = "2025-01-01T00:00:00Z",
                }),
            },
        };
        await Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(status.ToJsonString(), V1Patch.PatchType.MergePatch), GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "web");

        var output = await Kubectl.SucceedAsync("get", "gmsab", "-n", Namespace);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { "NAME", "CREDENTIALSPEC", "SERVICEACCOUNTS", "READY", "REASON", "STALEPODS", "AGE" }), output);
        var row = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(row[..6], Is.EqualTo(new[] { "web", "gmsa-webapp1", "[\"default\",\"web\"]", "True", "Bound", "2" }), output);
    }

    [Test]
    public async Task TypedGmsaBindingRoundTrips()
    {
        var binding = new GmsaBinding
        {
            Metadata = new V1ObjectMeta { Name = "typed" },
            Spec = new GmsaBindingSpec { CredentialSpecName = "gmsa-webapp1", ServiceAccounts = ["default"] },
        };
        await Eventually.HoldsAsync(async ct => await CreateAsync(JsonNode.Parse(KubernetesJson.Serialize(binding))!.AsObject(), ct), TimeSpan.FromSeconds(30), "the GmsaBinding to be created");

        var read = KubernetesJson.Deserialize<GmsaBinding>((JsonElement)await Client.CustomObjects.GetNamespacedCustomObjectAsync(
            GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "typed"));
        Assert.That(read.Spec.CredentialSpecName, Is.EqualTo("gmsa-webapp1"));
        Assert.That(read.Spec.ServiceAccounts, Is.EqualTo(new[] { "default" }));
        Assert.That(read.Metadata.Generation, Is.EqualTo(1));
    }

    /// <summary>
    /// Creates the object, retrying while a just-installed CRD is not yet routable (404); any other API answer —
    /// success or a validation error — is final.
    /// </summary>
    private async Task EventuallyCreateOrRejectAsync(JsonObject binding)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await CreateAsync(binding, cts.Token);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && !cts.IsCancellationRequested)
            {
                await Task.Delay(100, cts.Token);
            }
        }
    }
}
