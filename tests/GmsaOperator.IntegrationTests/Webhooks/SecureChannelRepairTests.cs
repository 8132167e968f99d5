using System.CommandLine;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.IntegrationTests.Config;
using GmsaOperator.Operator.Cli;
using GmsaOperator.Webhooks.Admission;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>
/// <c>spec.secureChannelRepair</c> end to end: the real operator (binding informer, reconcilers, url-registered
/// failurePolicy-Fail webhooks scoped to the test namespaces) and pods created with kubectl, whose stderr shows the
/// admission warnings exactly as a user sees them.
/// </summary>
[NonParallelizable]
public sealed class SecureChannelRepairTests : IntegrationTest
{
    private static readonly string RunId = Guid.NewGuid().ToString("N")[..8];
    private static readonly string OperatorNamespace = $"gmsa-it-scr-{RunId}";
    private static readonly string ConfigurationName = $"gmsa-scr-{RunId}";
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);
    private static OperatorInTest _operator = null!;

    private string CredSpecName => $"scr-{Namespace}";

    [OneTimeSetUp]
    public async Task StartOperatorAsync() => _operator = await OperatorInTest.StartAsync(new(OperatorNamespace)
    {
        RegisterWebhooks = true,
        ConfigurationName = ConfigurationName,
        SelectorLabel = $"{OperatorInTest.SelectorLabelKey}={RunId}",
    });

    [OneTimeTearDown]
    public async Task StopOperatorAsync()
    {
        if (_operator is not null) await _operator.DisposeAsync();
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CoreV1.DeleteNamespaceAsync(OperatorNamespace));
    }

    [SetUp]
    public async Task PrepareAsync()
    {
        await Client.CoreV1.PatchNamespaceAsync(ClusterObjects.LabelsPatch(new Dictionary<string, string> { [OperatorInTest.SelectorLabelKey] = RunId }), Namespace);
        await ClusterObjects.CreateCredentialSpecAsync(Client, CredSpecName, CredentialSpecSamples.Documentation);
        foreach (var account in new[] { "web", "plain" })
        {
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = account } }, Namespace);
        }
        await CreateBindingAsync("repair", "web", new SecureChannelRepairSpec { Enabled = true, MaxAttempts = 4, IntervalSeconds = 2 });
        await CreateBindingAsync("plain", "plain", null);
        // Ready when the webhooks serve the namespace, the operator granted use (RBAC) and its binding cache has the option.
        Kubectl.Result? last = null;
        try
        {
            await Eventually.HoldsAsync(async _ =>
            {
                var (result, pod) = await CreatePodAsync(Pod("probe", "web", [""], podLevel: true), dryRun: true);
                last = result;
                return result.ExitCode == 0 && pod!.Containers[0].Lifecycle?.PostStart is not null ? "ready" : null;
            }, Converge, "pods of service account web to get the repair hook");
        }
        catch (Exception)
        {
            TestContext.Out.WriteLine($"last probe: {last}");
            throw;
        }
    }

    [TearDown]
    public async Task DeleteCredSpecAsync() =>
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", CredSpecName));

    [Test]
    public async Task EveryGmsaContainer_GetsExactlyTheHook_InitContainersAndPlainContainersNot()
    {
        var containerLevel = $",\"securityContext\":{{\"windowsOptions\":{{\"gmsaCredentialSpecName\":\"{CredSpecName}\"}}}}";
        var (result, pod) = await CreatePodAsync(Pod("web", "web", ["", containerLevel], podLevel: true, initContainers: 1));
        Assert.That((result.ExitCode, result.Stderr), Is.EqualTo((0, "")));

        var expected = SecureChannelRepairHook.Command("contoso.com", 4, 2);
        var stored = await Client.CoreV1.ReadNamespacedPodAsync("web", Namespace);
        foreach (var container in stored.Spec.Containers)
        {
            Assert.That(container.Lifecycle.PostStart.Exec.Command, Is.EqualTo(expected), container.Name);
            Assert.That((container.Lifecycle.PreStop, container.Lifecycle.PostStart.HttpGet, container.Lifecycle.PostStart.TcpSocket), Is.EqualTo(((V1LifecycleHandler?)null, (V1HTTPGetAction?)null, (V1TCPSocketAction?)null)));
        }
        Assert.That(stored.Spec.InitContainers.Single().Lifecycle, Is.Null, "the API forbids lifecycle on init containers");
        Assert.That(pod!.Containers.Select(c => c.Lifecycle!.PostStart!.Exec!.Command), Is.All.EqualTo(expected));

        var preStop = ",\"lifecycle\":{\"preStop\":{\"exec\":{\"command\":[\"cmd\",\"/c\",\"exit\"]}}}";
        var (besideResult, beside) = await CreatePodAsync(Pod("beside", "web", [preStop], podLevel: true));
        Assert.That(besideResult.ExitCode, Is.Zero, besideResult.ToString());
        Assert.That(beside!.Containers[0].Lifecycle!.PreStop!.Exec!.Command, Is.EqualTo(new[] { "cmd", "/c", "exit" }));
        Assert.That(beside.Containers[0].Lifecycle!.PostStart!.Exec!.Command, Is.EqualTo(expected));

        var doctor = await DoctorAsync("pod/web");
        Assert.That(doctor, Does.Contain("✓ pod web: container c0 secure-channel repair hook: present, from GmsaBinding repair (maxAttempts 4, intervalSeconds 2)")
            .And.Contain("✓ pod web: container c1 secure-channel repair hook: present, from GmsaBinding repair (maxAttempts 4, intervalSeconds 2)"));
    }

    [Test]
    public async Task OwnPostStart_IsKept_AndKubectlShowsTheWarning()
    {
        var own = ",\"lifecycle\":{\"postStart\":{\"exec\":{\"command\":[\"cmd\",\"/c\",\"echo mine\"]}}}";
        var (result, pod) = await CreatePodAsync(Pod("own", "web", [own, ""], podLevel: true));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stderr, Does.Contain("Warning: container c0 has its own lifecycle.postStart hook, so the secure-channel repair of GmsaBinding repair was not added"));
        Assert.That(pod!.Containers[0].Lifecycle!.PostStart!.Exec!.Command, Is.EqualTo(new[] { "cmd", "/c", "echo mine" }));
        Assert.That(pod.Containers[1].Lifecycle!.PostStart!.Exec!.Command, Is.EqualTo(SecureChannelRepairHook.Command("contoso.com", 4, 2)));
    }

    [Test]
    public async Task OptOutAnnotation_LeavesThePodWithoutTheHook()
    {
        var (result, pod) = await CreatePodAsync(Pod("opted-out", "web", [""], podLevel: true,
            annotations: $"{{\"{SecureChannelRepairSpec.OptOutAnnotation}\":\"{SecureChannelRepairSpec.OptOutValue}\"}}"));
        Assert.That((result.ExitCode, result.Stderr), Is.EqualTo((0, "")));
        Assert.That(pod!.Containers[0].Lifecycle, Is.Null);
        Assert.That(pod.SecurityContext!.WindowsOptions!.GmsaCredentialSpec, Is.Not.Null, "the credential spec is still expanded");
    }

    [Test]
    public async Task PodOfABindingWithoutTheOption_IsExactlyWhatItWasBefore()
    {
        var (result, pod) = await CreatePodAsync(Pod("plain", "plain", [""], podLevel: true));
        Assert.That((result.ExitCode, result.Stderr), Is.EqualTo((0, "")));
        // The webhook's only change is the expanded credential spec: no hook, no annotation, nothing else in windowsOptions.
        var created = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That(created.GetProperty("spec").GetProperty("containers")[0].TryGetProperty("lifecycle", out _), Is.False);
        Assert.That(created.GetProperty("metadata").TryGetProperty("annotations", out _), Is.False);
        Assert.That(created.GetProperty("spec").GetProperty("securityContext").GetProperty("windowsOptions").EnumerateObject().Select(p => p.Name),
            Is.EquivalentTo(new[] { "gmsaCredentialSpecName", "gmsaCredentialSpec" }));
        Assert.That(pod!.SecurityContext!.WindowsOptions!.GmsaCredentialSpec, Does.Contain("contoso.com"));
    }

    private async Task<string> DoctorAsync(string target)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        await OperatorCli.Build().Parse(["doctor", "--kubeconfig", ControlPlaneSetup.Plane.KubeconfigPath, "-n", Namespace, "--operator-namespace", OperatorNamespace,
            "--webhook-configuration", ConfigurationName, target]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return stdout.ToString() + stderr;
    }

    private async Task CreateBindingAsync(string name, string serviceAccount, SecureChannelRepairSpec? repair)
    {
        var spec = new Dictionary<string, object> { ["credentialSpecName"] = CredSpecName, ["serviceAccounts"] = new[] { serviceAccount } };
        if (repair is not null)
        {
            spec["secureChannelRepair"] = new Dictionary<string, object> { ["enabled"] = repair.Enabled, ["maxAttempts"] = repair.MaxAttempts, ["intervalSeconds"] = repair.IntervalSeconds };
        }
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = $"{GmsaBinding.ApiGroup}/{GmsaBinding.Version}",
            ["kind"] = GmsaBinding.EntityKind,
            ["metadata"] = new Dictionary<string, object> { ["name"] = name },
            ["spec"] = spec,
        }, GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural);
    }

    /// <summary>A Windows pod; containers are raw JSON members appended after each container's name and image.</summary>
    private string Pod(string name, string serviceAccount, string[] containers, bool podLevel = false, int initContainers = 0, string? annotations = null)
    {
        static string List(string prefix, IEnumerable<string> members) =>
            "[" + string.Join(",", members.Select((m, i) => $"{{\"name\":\"{prefix}{i}\",\"image\":\"registry.invalid/iis:1\"{m}}}")) + "]";
        var meta = annotations is null ? "" : $",\"annotations\":{annotations}";
        var security = podLevel ? $",\"securityContext\":{{\"windowsOptions\":{{\"gmsaCredentialSpecName\":\"{CredSpecName}\"}}}}" : "";
        return $"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{Namespace}\"{meta}}},"
               + $"\"spec\":{{\"serviceAccountName\":\"{serviceAccount}\"{security},\"nodeSelector\":{{\"kubernetes.io/os\":\"windows\"}},"
               + $"\"containers\":{List("c", containers)},\"initContainers\":{List("i", Enumerable.Repeat("", initContainers))}}}}}";
    }

    private static async Task<(Kubectl.Result Result, V1PodSpec? Spec)> CreatePodAsync(string podJson, bool dryRun = false)
    {
        List<string> args = ["create", "-f", "-", "-o", "json"];
        if (dryRun) args.Add("--dry-run=server");
        var result = await Kubectl.RunAsync(args, podJson);
        return (result, result.ExitCode == 0 ? KubernetesJson.Deserialize<V1Pod>(result.Stdout).Spec : null);
    }
}
