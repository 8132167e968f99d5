using System.CommandLine;
using System.Text;
using GmsaOperator.IntegrationTests.Config;
using GmsaOperator.IntegrationTests.Webhooks;
using GmsaOperator.Operator.Cli;
using GmsaOperator.Webhooks.Authorization;
using GmsaOperator.Webhooks.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Cli;

/// <summary>
/// <c>credspec convert</c> output applied with kubectl, and <c>doctor</c> against the real operator (reconcilers, Lease)
/// and real webhooks registered under a test-only name that serves only namespaces labelled for this fixture.
/// </summary>
[NonParallelizable]
public sealed partial class DoctorTests : IntegrationTest
{
    private const string CredSpecJson = CredentialSpecSamples.Documentation;

    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);
    private static readonly string RunId = Guid.NewGuid().ToString("N")[..8];
    private static readonly string OperatorNamespace = $"gmsa-it-doctor-{RunId}";
    private static readonly string WindowsNode = $"doctor-win-{RunId}";
    private static OperatorInTest _operator = null!;
    private static WebhookHost _webhooks = null!;

    private readonly List<string> _tempFiles = [];

    private string CredSpecName => $"gmsa-webapp1-{Namespace}";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _operator = await OperatorInTest.StartAsync(new(OperatorNamespace));
        _webhooks = await WebhookHost.StartAsync(Client, cts.Token);
        await Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = WindowsNode, Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" } },
        }, cancellationToken: cts.Token);
        await Eventually.HoldsAsync(async ct =>
            (await Client.CoordinationV1.ReadNamespacedLeaseAsync("gmsa-operator-leader", OperatorNamespace, cancellationToken: ct)).Spec.HolderIdentity,
            Converge, "the operator to take the leader Lease");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CoreV1.DeleteNodeAsync(WindowsNode));
        if (_webhooks is not null)
        {
            await _webhooks.UnregisterAsync(Client);
            await _webhooks.DisposeAsync();
        }
        if (_operator is not null) await _operator.DisposeAsync();
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CoreV1.DeleteNamespaceAsync(OperatorNamespace));
    }

    [SetUp]
    public async Task CreateServiceAccountAsync() =>
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "webapp" } }, Namespace);

    [TearDown]
    public async Task DeleteCredSpecAsync()
    {
        foreach (var file in _tempFiles) File.Delete(file);
        _tempFiles.Clear();
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", CredSpecName));
    }

    [Test]
    public async Task ConvertedYaml_IsAcceptedByTheApiServer_AndStoresTheInputCredSpec()
    {
        // UTF-16 LE with BOM, as Windows PowerShell's Out-File writes it.
        var input = WriteTemp(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(CredSpecJson)).ToArray());
        var (exit, yaml, stderr) = await CliAsync("credspec", "convert", input, "--name", CredSpecName, "--with-binding", $"{Namespace}:webapp");
        Assert.That((exit, stderr), Is.EqualTo((0, "")));

        await Kubectl.SucceedAsync("apply", "-f", WriteTemp(Encoding.UTF8.GetBytes(yaml), ".yaml"));

        var stored = await Client.CustomObjects.GetClusterCustomObjectAsync<System.Text.Json.JsonElement>("windows.k8s.io", "v1", "gmsacredentialspecs", CredSpecName);
        using var expected = System.Text.Json.JsonDocument.Parse(CredSpecJson);
        Assert.That(CanonicalJson.Serialize(stored.GetProperty("credspec")), Is.EqualTo(CanonicalJson.Serialize(expected.RootElement)));
        var binding = await Client.CustomObjects.GetNamespacedCustomObjectAsync<System.Text.Json.JsonElement>("gmsa.dev", "v1alpha1", Namespace, "gmsabindings", CredSpecName);
        Assert.That(binding.GetProperty("spec").GetProperty("credentialSpecName").GetString(), Is.EqualTo(CredSpecName));
    }

    [Test]
    public async Task Doctor_HealthyBindingAndPod_Passes()
    {
        await ServeNamespaceAsync();
        await CreateCredSpecAsync();
        await CreateBindingAsync();
        await CreatePodThroughTheWebhookAsync();

        var (exit, output) = await DoctorAsync("pod/web");
        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Not.Contain("✗"));
        Assert.That(output, Does.Contain($"✓ service account {Namespace}/webapp may use {CredSpecName}: granted by GmsaBinding webapp1"));
        Assert.That(output, Does.Contain("✓ pod web: pod-level credential spec expanded: matches"));
        Assert.That(output, Does.Contain($"✓ pod web scheduled on a Windows node: node {WindowsNode}"));
        Assert.That(output, Does.Contain("verifies the served certificate"));
        Assert.That(output, Does.Contain("nltest /sc_reset:contoso.com").And.Contain("EnableCompartmentNamespace"));

        var (jsonExit, json) = await DoctorAsync("pod/web", "-o", "json");
        Assert.That(jsonExit, Is.EqualTo(0));
        Assert.That(json, Does.Contain("\"passed\": true"));
    }

    [Test]
    public async Task Doctor_NoBinding_Fails_WithBindingFix()
    {
        await ServeNamespaceAsync();
        await CreateCredSpecAsync();
        await CreateDeploymentAsync(CredSpecName);

        var (exit, output) = await DoctorAsync("deployment/web");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"✓ GMSACredentialSpec {CredSpecName} exists"));
        Assert.That(output, Does.Contain($"✗ service account {Namespace}/webapp may use {CredSpecName}: the SubjectAccessReview denies it"));
        Assert.That(output, Does.Contain($"fix: create a GmsaBinding in {Namespace} with spec.credentialSpecName: {CredSpecName}"));
        Assert.That(output, Does.Not.Contain("nltest"));
    }

    [Test]
    public async Task Doctor_UnknownCredSpec_Fails_WithConvertFix()
    {
        await ServeNamespaceAsync();
        await CreateDeploymentAsync($"unknown-{Namespace}");

        var (exit, output) = await DoctorAsync("deployment/web");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"✗ GMSACredentialSpec unknown-{Namespace} exists: not found\n"));
        Assert.That(output, Does.Contain("fix: create it from the JSON New-CredentialSpec wrote on a domain-joined host: gmsa-operator credspec convert CredSpec.json | kubectl apply -f -"));
    }

    [Test]
    public async Task Doctor_WrongCaseName_Fails_WithDidYouMean()
    {
        await ServeNamespaceAsync();
        await CreateCredSpecAsync();
        // The API server rejects upper case in gmsaCredentialSpecName, but not in RBAC resourceNames: the documentation's
        // hand-written role with "gmsa-Webapp1" silently grants nothing.
        var wrong = CredSpecName.Replace("webapp1", "Webapp1", StringComparison.Ordinal);
        var role = $"{Namespace}-use-webapp1";
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = role },
            Rules = [new V1PolicyRule { ApiGroups = ["windows.k8s.io"], Resources = ["gmsacredentialspecs"], Verbs = ["use"], ResourceNames = [wrong] }],
        });
        try
        {
            await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = "allow-webapp-use-webapp1" },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "webapp", NamespaceProperty = Namespace }],
                RoleRef = new V1RoleRef { Kind = "ClusterRole", Name = role, ApiGroup = "rbac.authorization.k8s.io" },
            }, Namespace);
            await CreateDeploymentAsync(CredSpecName);

            var (exit, output) = await DoctorAsync("deployment/web");
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain($"✗ service account {Namespace}/webapp may use {CredSpecName}: the SubjectAccessReview denies it"));
            Assert.That(output, Does.Contain($"ClusterRole {role} grants use of {wrong}, which differs in case from {CredSpecName} (RBAC resourceNames are case-sensitive)"));
            Assert.That(output, Does.Contain($"fix: change resourceNames in ClusterRole {role} to [{CredSpecName}]"));

            // Asked about the service account, the doctor finds no GmsaBinding naming a credspec for it.
            var (saExit, sa) = await DoctorAsync("serviceaccount/webapp");
            Assert.That(saExit, Is.EqualTo(1));
            Assert.That(sa, Does.Contain("✗ serviceaccount/webapp uses a GMSA: nothing names a GMSACredentialSpec"));
        }
        finally
        {
            await ClusterObjects.IgnoreNotFoundAsync(() => Client.RbacAuthorizationV1.DeleteClusterRoleAsync(role));
        }
    }

    private async Task<(int Exit, string Output)> DoctorAsync(string? target = null, string? output = null, string? format = null, string? webhookConfiguration = null)
    {
        List<string> args = ["doctor", "--kubeconfig", ControlPlaneSetup.Plane.KubeconfigPath, "-n", Namespace, "--operator-namespace", OperatorNamespace,
            "--webhook-configuration", webhookConfiguration ?? _webhooks.ConfigurationName];
        if (target is not null) args.Add(target);
        if (output is not null) args.AddRange([output, format!]);
        var (exit, stdout, stderr) = await CliAsync([.. args]);
        return (exit, stdout + stderr);
    }

    private Task<(int Exit, string Output)> DoctorAsync(string target, string outputOption, string format) => DoctorAsync(target, outputOption, format, null);

    private static async Task<(int Exit, string Out, string Error)> CliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await OperatorCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task ServeNamespaceAsync()
    {
        await Client.CoreV1.PatchNamespaceAsync(ClusterObjects.LabelsPatch(_webhooks.Labels), Namespace);
        // Wait until the API server routes this namespace's pods to the fixture's webhooks.
        await Eventually.HoldsAsync(async ct =>
        {
            try
            {
                await Client.CoreV1.CreateNamespacedPodAsync(Pod("probe-missing", "probe"), Namespace, dryRun: "All", cancellationToken: ct);
                return null;
            }
            catch (HttpOperationException e) when (e.Response.Content.Contains("does not exist") || e.Response.Content.Contains("is not authorized"))
            {
                return "served";
            }
        }, Converge, "the webhooks to serve the test namespace");
    }

    private async Task CreateCredSpecAsync()
    {
        var (exit, yaml, stderr) = await CliAsync("credspec", "convert", WriteTemp(Encoding.UTF8.GetBytes(CredSpecJson)), "--name", CredSpecName);
        Assert.That(exit, Is.EqualTo(0), stderr);
        await Kubectl.SucceedAsync("apply", "-f", WriteTemp(Encoding.UTF8.GetBytes(yaml), ".yaml"));
    }

    private async Task CreateBindingAsync() =>
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "gmsa.dev/v1alpha1",
            ["kind"] = "GmsaBinding",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "webapp1" },
            ["spec"] = new Dictionary<string, object> { ["credentialSpecName"] = CredSpecName, ["serviceAccounts"] = new[] { "webapp" } },
        }, "gmsa.dev", "v1alpha1", Namespace, "gmsabindings");

    private async Task WaitUntilAllowedAsync() =>
        await Eventually.HoldsAsync(async ct =>
        {
            var decision = await new SubjectAccessReviewer(Client).CanUseCredentialSpecAsync(
                AccessSubject.ForServiceAccount(Namespace, "webapp"), Namespace, CredSpecName, ct);
            return decision.Allowed ? "allowed" : null;
        }, Converge, "the operator to grant the binding's service account use of the credspec");

    private async Task CreatePodThroughTheWebhookAsync()
    {
        await WaitUntilAllowedAsync();
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod(CredSpecName), Namespace);
        Assert.That(pod.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpec, Is.Not.Null, "the webhook expanded the credspec");
    }

    private V1Pod Pod(string credSpecName, string name = "web") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            ServiceAccountName = "webapp",
            NodeName = WindowsNode,
            SecurityContext = new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = credSpecName } },
            Containers = [new V1Container { Name = "iis", Image = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019" }],
            NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" },
        },
    };

    private async Task CreateDeploymentAsync(string credSpecName)
    {
        var labels = new Dictionary<string, string> { ["run"] = "web" };
        var template = Pod(credSpecName);
        template.Spec.NodeName = null;
        await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = template.Spec },
            },
        }, Namespace);
    }

    private string WriteTemp(byte[] content, string extension = ".json")
    {
        var path = Path.Combine(Path.GetTempPath(), $"gmsa-doctor-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, content);
        _tempFiles.Add(path);
        return path;
    }
}
