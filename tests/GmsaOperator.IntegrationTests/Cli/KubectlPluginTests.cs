using System.Text.Json;
using System.Text.RegularExpressions;
using GmsaOperator.Webhooks.Authorization;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Cli;

/// <summary>
/// <c>kubectl gmsa</c> as users run it: installed by <c>make install-plugin</c>, found and run by real kubectl, against
/// the real operator (reconcilers and its own webhooks, scoped to this fixture's namespaces) with kubectl's flags and
/// a multi-file KUBECONFIG.
/// </summary>
[NonParallelizable]
public sealed partial class KubectlPluginTests : IntegrationTest
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);
    private static readonly string RunId = Guid.NewGuid().ToString("N")[..8];
    private static readonly string OperatorNamespace = $"gmsa-it-plugin-{RunId}";
    private static readonly string WindowsNode = $"plugin-win-{RunId}";
    private static OperatorInTest _operator = null!;
    private static PluginShell _shell = null!;
    private static string _decoyKubeconfig = null!;
    private static string _planeContext = null!;

    private string CredSpecName => $"gmsa-webapp1-{Namespace}";

    /// <summary>A decoy file first (its current-context is a dead server), then the control plane's: kubectl's merge picks the decoy unless --context says otherwise.</summary>
    private static string MergedKubeconfig => $"{_decoyKubeconfig}{Path.PathSeparator}{ControlPlaneSetup.Plane.KubeconfigPath}";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _operator = await OperatorInTest.StartAsync(new(OperatorNamespace)
        {
            RegisterWebhooks = true,
            ConfigurationName = $"gmsa-it-plugin-{RunId}",
            SelectorLabel = $"{OperatorInTest.SelectorLabelKey}={RunId}",
        });
        _shell = await PluginShell.InstallAsync();
        _planeContext = CurrentContext().Match(await File.ReadAllTextAsync(ControlPlaneSetup.Plane.KubeconfigPath)).Groups[1].Value.Trim().Trim('"');
        _decoyKubeconfig = Path.Combine(_shell.Directory, "decoy-kubeconfig");
        await File.WriteAllTextAsync(_decoyKubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: decoy
            clusters:
            - name: decoy
              cluster:
                server: https://127.0.0.1:1
            users:
            - name: decoy
              user:
                token: decoy
            contexts:
            - name: decoy
              context:
                cluster: decoy
                user: decoy
                namespace: not-this-one
            """);
        await Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = WindowsNode, Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" } },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CoreV1.DeleteNodeAsync(WindowsNode));
        _shell?.Dispose();
        if (_operator is not null) await _operator.DisposeAsync();
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CoreV1.DeleteNamespaceAsync(OperatorNamespace));
    }

    [TearDown]
    public async Task DeleteCredSpecAsync() =>
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", CredSpecName));

    [GeneratedRegex(@"(?m)^current-context:\s*(.+)$")]
    private static partial Regex CurrentContext();

    [Test]
    public async Task PluginList_FindsTheInstalledPlugin_AndHelpIsKubectls()
    {
        var list = await _shell.KubectlAsync(null, "plugin", "list");
        Assert.That(list.Stdout, Does.Contain(_shell.PluginPath + "\n"), list.ToString());
        Assert.That(File.ResolveLinkTarget(_shell.PluginPath, returnFinalTarget: false)?.FullName, Is.EqualTo(Path.Combine(AppContext.BaseDirectory, "gmsa-operator")));

        var help = await _shell.KubectlAsync(null, "gmsa", "--help");
        Assert.That(help.ExitCode, Is.Zero, help.ToString());
        Assert.That(help.Stdout, Does.Contain("\nUsage:\n  kubectl gmsa [command] [flags]\n").And.Contain("\nAvailable Commands:\n  bind "));
    }

    [Test]
    public async Task Doctor_ThroughKubectl_UsesTheContextAndNamespaceFlags_OfAMergedKubeconfig()
    {
        await ServeNamespaceAsync();
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "webapp" } }, Namespace);
        await CreateCredSpecAsync();
        var bind = await _shell.KubectlAsync(MergedKubeconfig, "gmsa", "bind", CredSpecName, "webapp", "--context", _planeContext, "-n", Namespace);
        Assert.That((bind.ExitCode, bind.Stdout), Is.EqualTo((0, $"gmsabinding.gmsa.dev/{CredSpecName} created\n")), bind.ToString());
        await WaitUntilAllowedAsync("webapp");
        await CreateDeploymentAsync("webapp");
        await Eventually.HoldsAsync(async ct => (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "run=with-creds", cancellationToken: ct)).Items.FirstOrDefault(),
            Converge, "the Deployment's pod to be admitted");

        var doctor = await _shell.KubectlAsync(MergedKubeconfig, "gmsa", "doctor", "deployment/with-creds", "--context", _planeContext, "-n", Namespace,
            "--operator-namespace", OperatorNamespace, "--webhook-configuration", $"gmsa-it-plugin-{RunId}");
        var output = doctor.Stdout + doctor.Stderr;
        Assert.That(doctor.ExitCode, Is.Zero, doctor.ToString());
        Assert.That(output, Does.StartWith($"GMSA doctor: namespace {Namespace}, deployment/with-creds\n"));
        Assert.That(output, Does.Contain($"✓ GMSACredentialSpec {CredSpecName} exists"), doctor.ToString());
        Assert.That(output, Does.Contain($"✓ service account {Namespace}/webapp may use {CredSpecName}: granted by GmsaBinding {CredSpecName}"), doctor.ToString());
        Assert.That(output, Does.Contain($": pod-level credential spec expanded: matches {CredSpecName}"));

        // Without --context the merged kubeconfig's current-context is the first file's: the decoy.
        var decoy = await _shell.KubectlAsync(MergedKubeconfig, "gmsa", "doctor", "deployment/with-creds");
        Assert.That(decoy.ExitCode, Is.EqualTo(1), decoy.ToString());
        Assert.That(decoy.Stderr, Does.Contain("https://127.0.0.1:1"));
    }

    [Test]
    public async Task Bind_CreatesTheBinding_ThenExtendsIt_NeverDroppingEntries()
    {
        await ServeNamespaceAsync();
        await CreateCredSpecAsync();
        string[] Bind(params string[] more) => ["gmsa", "bind", CredSpecName, .. more, "--context", _planeContext, "--namespace", Namespace];

        var created = await _shell.KubectlAsync(MergedKubeconfig, Bind("web"));
        Assert.That((created.ExitCode, created.Stdout), Is.EqualTo((0, $"gmsabinding.gmsa.dev/{CredSpecName} created\n")), created.ToString());
        Assert.That(created.Stderr, Does.Contain("Warning: service account \"web\" does not exist"), "the API server's admission warnings are shown");
        Assert.That(await StoredAccountsAsync(CredSpecName), Is.EqualTo(new[] { "web" }));

        var dryRun = await _shell.KubectlAsync(MergedKubeconfig, Bind("dry", "--dry-run=server"));
        Assert.That((dryRun.ExitCode, dryRun.Stdout), Is.EqualTo((0, $"gmsabinding.gmsa.dev/{CredSpecName} patched (server dry run)\n")), dryRun.ToString());

        var extended = await _shell.KubectlAsync(MergedKubeconfig, Bind("worker", "web", "batch"));
        Assert.That((extended.ExitCode, extended.Stdout), Is.EqualTo((0, $"gmsabinding.gmsa.dev/{CredSpecName} patched\n")), extended.ToString());
        Assert.That(await StoredAccountsAsync(CredSpecName), Is.EqualTo(new[] { "web", "worker", "batch" }));

        var unchanged = await _shell.KubectlAsync(MergedKubeconfig, Bind("batch"));
        Assert.That(unchanged.Stdout, Is.EqualTo($"gmsabinding.gmsa.dev/{CredSpecName} unchanged\n"), unchanged.ToString());

        var named = await _shell.KubectlAsync(MergedKubeconfig, Bind("other", "--name", "second"));
        Assert.That(named.Stdout, Is.EqualTo("gmsabinding.gmsa.dev/second created\n"), named.ToString());
        var ambiguous = await _shell.KubectlAsync(MergedKubeconfig, Bind("more", "--name", CredSpecName));
        Assert.That(ambiguous.ExitCode, Is.Zero, "with --name the choice is explicit");
        Assert.That(await StoredAccountsAsync(CredSpecName), Is.EqualTo(new[] { "web", "worker", "batch", "more" }));
        Assert.That(await StoredAccountsAsync("second"), Is.EqualTo(new[] { "other" }));
    }

    [Test]
    public async Task Bind_ByAUserWithoutUse_GetsTheApiServersRefusal_Verbatim()
    {
        await ServeNamespaceAsync();
        await CreateCredSpecAsync();
        using var restricted = await RestrictedKubeconfigAsync("binder");
        var user = $"system:serviceaccount:{Namespace}:binder";

        // The API server's own answer to the same request, sent directly.
        var direct = await Eventually.HoldsAsync(async ct =>
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(restricted.Path));
            try
            {
                await client.CustomObjects.CreateNamespacedCustomObjectAsync(BindingBody(CredSpecName, "webapp"), "gmsa.dev", "v1alpha1", Namespace, "gmsabindings", dryRun: "All", cancellationToken: ct);
                Assert.Fail("the restricted user's GmsaBinding was admitted");
                return null;
            }
            catch (HttpOperationException e) when (e.Response.Content.Contains("admission webhook"))
            {
                return e.Response.Content;
            }
        }, Converge, "RBAC and the binding webhook to judge the restricted user");
        using var status = JsonDocument.Parse(direct);
        var message = status.RootElement.GetProperty("message").GetString();
        Assert.That(message, Does.Contain($"user \"{user}\" may not create GmsaBinding \"{CredSpecName}\""));
        // As kubectl words it: "Error from server (Reason): message", without the parentheses when the Status has no reason (a webhook denial's has none).
        var reason = status.RootElement.TryGetProperty("reason", out var r) && r.GetString() is { Length: > 0 } text ? $" ({text})" : "";

        var refused = await _shell.KubectlAsync(restricted.Path, "gmsa", "bind", CredSpecName, "webapp", "-n", Namespace);
        Assert.That((refused.ExitCode, refused.Stdout, refused.Stderr), Is.EqualTo((1, "", $"Error from server{reason}: {message}\n")), refused.ToString());

        // Extending an existing binding is refused the same way, and the binding keeps what it had.
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(BindingBody(CredSpecName, "webapp"), "gmsa.dev", "v1alpha1", Namespace, "gmsabindings");
        var extend = await _shell.KubectlAsync(restricted.Path, "gmsa", "bind", CredSpecName, "intruder", "-n", Namespace);
        Assert.That(extend.ExitCode, Is.EqualTo(1), extend.ToString());
        Assert.That(extend.Stderr, Does.StartWith($"Error from server{reason}: admission webhook ")
            .And.Contain($"user \"{user}\" may not update GmsaBinding \"{CredSpecName}\" in namespace \"{Namespace}\": granting GMSA cred spec \"{CredSpecName}\" requires the user to be authorized to `use` it"));
        Assert.That(await StoredAccountsAsync(CredSpecName), Is.EqualTo(new[] { "webapp" }));
    }

    /// <summary>A token kubeconfig of a service account that may write GmsaBindings in the namespace but may not use any credspec.</summary>
    private async Task<TempKubeconfig> RestrictedKubeconfigAsync(string serviceAccount)
    {
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = serviceAccount } }, Namespace);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "binding-writer" },
            Rules = [new V1PolicyRule { ApiGroups = ["gmsa.dev"], Resources = ["gmsabindings"], Verbs = ["create", "get", "list", "patch", "update"] }],
        }, Namespace);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = $"{serviceAccount}-binding-writer" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = Namespace }],
            RoleRef = new V1RoleRef { Kind = "Role", Name = "binding-writer", ApiGroup = "rbac.authorization.k8s.io" },
        }, Namespace);
        var token = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 600 } }, serviceAccount, Namespace);
        return TempKubeconfig.WithToken(ControlPlaneSetup.Plane.ApiServerUrl.ToString(), token.Status.Token, insecureSkipTlsVerify: true);
    }

    private static Dictionary<string, object> BindingBody(string credSpec, params string[] accounts) => new()
    {
        ["apiVersion"] = "gmsa.dev/v1alpha1",
        ["kind"] = "GmsaBinding",
        ["metadata"] = new Dictionary<string, object> { ["name"] = credSpec },
        ["spec"] = new Dictionary<string, object> { ["credentialSpecName"] = credSpec, ["serviceAccounts"] = accounts },
    };

    private async Task<string[]> StoredAccountsAsync(string name)
    {
        var binding = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>("gmsa.dev", "v1alpha1", Namespace, "gmsabindings", name);
        return [.. binding.GetProperty("spec").GetProperty("serviceAccounts").EnumerateArray().Select(a => a.GetString()!)];
    }

    /// <summary>Labels the namespace for this fixture's webhooks and waits until the API server calls them for it.</summary>
    private async Task ServeNamespaceAsync()
    {
        await Client.CoreV1.PatchNamespaceAsync(ClusterObjects.LabelsPatch(new Dictionary<string, string> { [OperatorInTest.SelectorLabelKey] = RunId }), Namespace);
        await Eventually.HoldsAsync(async ct =>
        {
            using var response = await Client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync(
                BindingBody("probe-missing", "probe"), "gmsa.dev", "v1alpha1", Namespace, "gmsabindings", dryRun: "All", cancellationToken: ct);
            return response.Response.Headers.TryGetValues("Warning", out var warnings) && warnings.Any(w => w.Contains("does not exist")) ? "served" : null;
        }, Converge, "the operator's webhooks to serve the test namespace");
    }

    private Task CreateCredSpecAsync() => ClusterObjects.CreateCredentialSpecAsync(Client, CredSpecName, CredentialSpecSamples.Documentation);

    private async Task WaitUntilAllowedAsync(string serviceAccount) =>
        await Eventually.HoldsAsync(async ct =>
        {
            var decision = await new SubjectAccessReviewer(Client).CanUseCredentialSpecAsync(
                AccessSubject.ForServiceAccount(Namespace, serviceAccount), Namespace, CredSpecName, ct);
            return decision.Allowed ? "allowed" : null;
        }, Converge, "the operator to grant the binding's service account use of the credspec");

    /// <summary>The documentation's Deployment <c>with-creds</c> (config/samples), with this test's credspec and service account.</summary>
    private async Task CreateDeploymentAsync(string serviceAccount)
    {
        var deployment = GmsaOperator.Operator.Generation.SampleManifests.Deployment();
        deployment.Metadata.NamespaceProperty = Namespace;
        var pod = deployment.Spec.Template.Spec;
        pod.ServiceAccountName = serviceAccount;
        pod.SecurityContext.WindowsOptions.GmsaCredentialSpecName = CredSpecName;
        // There is no scheduler: placed on the (kubelet-less) Windows node directly.
        pod.NodeName = WindowsNode;
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Namespace);
    }
}
