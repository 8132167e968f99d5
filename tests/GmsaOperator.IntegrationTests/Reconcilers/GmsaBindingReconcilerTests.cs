using System.Net;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.IntegrationTests.Config;
using GmsaOperator.Operator.Reconcilers;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace GmsaOperator.IntegrationTests.Reconcilers;

/// <summary>Credential spec → ClusterRole, GmsaBinding → RoleBinding, status, drift repair and ownership, end to end.</summary>
[NonParallelizable]
public sealed partial class GmsaBindingReconcilerTests : IntegrationTest
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(10);
    private OperatorInTest _operator = null!;
    private string _credSpec = "";

    [OneTimeSetUp]
    public async Task StartOperatorAsync() => _operator = await OperatorInTest.StartAsync(new("gmsa-it-reconcilers"));

    [OneTimeTearDown]
    public async Task StopOperatorAsync() => await _operator.DisposeAsync();

    [SetUp]
    public void NameCredSpec() => _credSpec = $"{Namespace}-webapp1";

    [TearDown]
    public async Task DeleteCredSpecAsync()
    {
        try
        {
            await Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", _credSpec);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    [Test]
    public async Task Binding_GrantsUseToListedServiceAccountsOnly()
    {
        await CreateCredSpecAsync();
        await CreateBindingAsync("webapp", ["default"]);

        var binding = await WaitForReadyAsync("webapp", "True", TimeSpan.FromSeconds(2) + Converge);
        Assert.That(binding.Status!.ClusterRoleName, Is.EqualTo(GeneratedNames.ClusterRoleFor(_credSpec)));
        Assert.That(binding.Status.RoleBindingName, Is.EqualTo(GeneratedNames.RoleBindingFor("webapp")));
        Assert.That(binding.Status.ObservedGeneration, Is.EqualTo(binding.Metadata.Generation));
        var role = await Client.RbacAuthorizationV1.ReadClusterRoleAsync(GeneratedNames.ClusterRoleFor(_credSpec));
        Assert.That(role.Rules.Single().ResourceNames, Is.EqualTo(new[] { _credSpec }), "the ClusterRole grants this one credential spec");
        Assert.That(role.Rules.Single().Verbs, Is.EqualTo(new[] { "use" }));
        var roleBinding = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(GeneratedNames.RoleBindingFor("webapp"), Namespace);
        Assert.That(roleBinding.RoleRef.Name, Is.EqualTo(role.Name()));
        Assert.That(roleBinding.Subjects.Select(s => $"{s.Kind}:{s.NamespaceProperty}/{s.Name}"), Is.EqualTo(new[] { $"ServiceAccount:{Namespace}/default" }));

        Assert.That(await MayUseAsync("default"), Is.True, "the listed service account may use the credential spec");
        Assert.That(await MayUseAsync("other"), Is.False, "a service account that is not listed may not");
    }

    [Test]
    public async Task DeletingTheBinding_RevokesUse_AndDeletingTheCredSpec_MakesBindingsNotReady()
    {
        await CreateCredSpecAsync();
        await CreateBindingAsync("webapp", ["default"]);
        await CreateBindingAsync("second", ["default"]);
        await WaitForReadyAsync("webapp", "True", Converge);
        await WaitForReadyAsync("second", "True", Converge);

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "second");
        await Eventually.HoldsAsync(async ct => await RoleBindingExistsAsync("second", ct) ? null : "gone", Converge, "the garbage collector to delete the RoleBinding");
        Assert.That(await MayUseAsync("default"), Is.True, "the first binding still grants use");

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "webapp");
        await Eventually.HoldsAsync(async ct => await MayUseAsync("default", ct) ? null : "denied", Converge, "use to be denied after the binding is deleted");

        await CreateBindingAsync("third", ["default"]);
        await WaitForReadyAsync("third", "True", Converge);
        await DeleteCredSpecAsync();
        // The ClusterRole's deletion may be seen before the credspec's (ClusterRolePending on the way); where it ends is what counts.
        await WaitForReadyAsync("third", "False", Converge, reason: "CredentialSpecNotFound");
        await Eventually.HoldsAsync(async ct => await ClusterRoleExistsAsync(ct) ? null : "gone", Converge, "the ClusterRole to be garbage-collected with the credspec");
        Assert.That(await RoleBindingExistsAsync("third"), Is.False, "no RoleBinding while the credspec is missing");

        await CreateCredSpecAsync();
        await WaitForReadyAsync("third", "True", Converge);
        Assert.That(await MayUseAsync("default"), Is.True);
    }

    [Test]
    public async Task BindingCreatedBeforeItsCredSpec_BecomesReadyWhenItAppears()
    {
        await CreateBindingAsync("early", ["default"]);
        var waiting = await WaitForReadyAsync("early", "False", Converge);
        var ready = waiting.Status!.Conditions!.Single(c => c.Type == "Ready");
        Assert.That(ready.Reason, Is.EqualTo("CredentialSpecNotFound"));
        Assert.That(ready.Message, Does.Contain(_credSpec));

        await CreateCredSpecAsync();

        await WaitForReadyAsync("early", "True", Converge);
        Assert.That(await MayUseAsync("default"), Is.True);
    }

    [Test]
    public async Task DeletedOrEditedGeneratedObjects_AreRestored()
    {
        await CreateCredSpecAsync();
        await CreateBindingAsync("webapp", ["default"]);
        await WaitForReadyAsync("webapp", "True", Converge);
        var rbName = GeneratedNames.RoleBindingFor("webapp");
        var crName = GeneratedNames.ClusterRoleFor(_credSpec);

        await Client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(rbName, Namespace);
        await Eventually.HoldsAsync(async ct => await RoleBindingExistsAsync("webapp", ct) ? "back" : null, TimeSpan.FromSeconds(5), "the deleted RoleBinding to be restored");

        var rb = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(rbName, Namespace);
        rb.Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "intruder", NamespaceProperty = Namespace }];
        await Client.RbacAuthorizationV1.ReplaceNamespacedRoleBindingAsync(rb, rbName, Namespace);
        await Eventually.HoldsAsync(async ct =>
        {
            var current = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(rbName, Namespace, cancellationToken: ct);
            return current.Subjects.Select(s => s.Name).SequenceEqual(["default"]) ? current : null;
        }, TimeSpan.FromSeconds(5), "the edited RoleBinding's subjects to be restored");

        var role = await Client.RbacAuthorizationV1.ReadClusterRoleAsync(crName);
        role.Rules[0].ResourceNames = ["someone-elses-credspec"];
        await Client.RbacAuthorizationV1.ReplaceClusterRoleAsync(role, crName);
        await Eventually.HoldsAsync(async ct =>
        {
            var current = await Client.RbacAuthorizationV1.ReadClusterRoleAsync(crName, cancellationToken: ct);
            return current.Rules.Single().ResourceNames.SequenceEqual([_credSpec]) ? current : null;
        }, TimeSpan.FromSeconds(5), "the edited ClusterRole to be restored");

        await Client.RbacAuthorizationV1.DeleteClusterRoleAsync(crName);
        await Eventually.HoldsAsync(async ct => await ClusterRoleExistsAsync(ct) ? "back" : null, TimeSpan.FromSeconds(5), "the deleted ClusterRole to be restored");
    }

    [Test]
    public async Task UnmanagedRoleBindingWithTheGeneratedName_IsUntouched_AndReportedAsConflict()
    {
        await CreateCredSpecAsync();
        var rbName = GeneratedNames.RoleBindingFor("taken");
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = rbName, Labels = new Dictionary<string, string> { ["team"] = "theirs" } },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "theirs", NamespaceProperty = Namespace }],
        }, Namespace);

        await CreateBindingAsync("taken", ["default"]);

        var binding = await WaitForReadyAsync("taken", "False", Converge);
        var ready = binding.Status!.Conditions!.Single(c => c.Type == "Ready");
        Assert.That(ready.Reason, Is.EqualTo("Conflict"));
        Assert.That(ready.Message, Does.Contain($"{Namespace}/{rbName}"));
        var untouched = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(rbName, Namespace);
        Assert.That(untouched.RoleRef.Name, Is.EqualTo("view"));
        Assert.That(untouched.Subjects.Single().Name, Is.EqualTo("theirs"));
        Assert.That(untouched.Metadata.Labels, Does.Not.ContainKey(ManagedLabels.ManagedBy));
    }

    [Test]
    public async Task EditingServiceAccounts_UpdatesSubjectsAndObservedGeneration()
    {
        await CreateCredSpecAsync();
        await CreateBindingAsync("webapp", ["default"]);
        var first = await WaitForReadyAsync("webapp", "True", Converge);

        var patch = new V1Patch("""{"spec":{"serviceAccounts":["default","web"]}}""", V1Patch.PatchType.MergePatch);
        await Client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "webapp");

        var updated = await Eventually.HoldsAsync(async ct =>
        {
            var b = await GetBindingAsync("webapp", ct);
            return b.Status?.ObservedGeneration > first.Status!.ObservedGeneration ? b : null;
        }, Converge, "observedGeneration to follow the edit");
        Assert.That(updated.Status!.ObservedGeneration, Is.EqualTo(updated.Metadata.Generation));
        var accounts = updated.Status.Conditions!.Single(c => c.Type == BindingPlanner.ServiceAccountsFoundType);
        Assert.That(accounts.Status, Is.EqualTo("False"), "service account 'web' does not exist yet");
        Assert.That(accounts.Message, Does.Contain("web"));
        var rb = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(GeneratedNames.RoleBindingFor("webapp"), Namespace);
        Assert.That(rb.Subjects.Select(s => s.Name), Is.EqualTo(new[] { "default", "web" }));
        Assert.That(await MayUseAsync("web"), Is.True);

        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "web" } }, Namespace);
        await Eventually.HoldsAsync(async ct =>
        {
            var b = await GetBindingAsync("webapp", ct);
            return b.Status?.Conditions?.Single(c => c.Type == BindingPlanner.ServiceAccountsFoundType).Status == "True" ? b : null;
        }, Converge, "ServiceAccountsFound to turn True once 'web' exists");
    }

    [Test]
    public async Task Events_WarningWhileNotBound_NormalWhenBound()
    {
        await CreateBindingAsync("evented", ["default"]);
        await WaitForReadyAsync("evented", "False", Converge);
        await CreateCredSpecAsync();
        await WaitForReadyAsync("evented", "True", Converge);

        var events = await Eventually.HoldsAsync(async ct =>
        {
            var list = await Client.EventsV1.ListNamespacedEventAsync(Namespace, cancellationToken: ct);
            var mine = list.Items.Where(e => e.Regarding?.Kind == GmsaBinding.EntityKind && e.Regarding.Name == "evented").ToList();
            return mine.Any(e => e.Type == "Normal" && e.Reason == "Bound") ? mine : null;
        }, Converge, "a Normal Bound event on the binding");

        var warning = events.First(e => e.Type == "Warning" && e.Reason == "CredentialSpecNotFound");
        Assert.That(warning.Note, Does.Contain(_credSpec));
    }

    [Test]
    public async Task KubectlWaitForReady_Works()
    {
        await CreateCredSpecAsync();
        await CreateBindingAsync("webapp", ["default"]);

        var output = await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "gmsab/webapp", "-n", Namespace, "--timeout=30s");

        Assert.That(output, Does.Contain("condition met"));
    }

    [Test]
    public async Task KubectlApplied_TheCacheDropsKubectlsCopy_AndTheServerKeepsIt()
    {
        await CreateCredSpecAsync();
        var yaml = $"apiVersion: {GmsaBinding.ApiGroup}/{GmsaBinding.Version}\nkind: {GmsaBinding.EntityKind}\nmetadata:\n  name: applied\n  namespace: {Namespace}\n" +
            $"  annotations:\n    team: web\nspec:\n  credentialSpecName: {_credSpec}\n  serviceAccounts: [default]\n";
        var apply = await Kubectl.RunAsync(["apply", "-f", "-"], yaml);
        Assert.That(apply.ExitCode, Is.EqualTo(0), apply.Stderr);
        await WaitForReadyAsync("applied", "True", Converge);
        var cache = _operator.Services.GetRequiredService<GmsaOperator.Runtime.Controllers.IObjectCache>();

        var cached = await Eventually.HoldsAsync(_ => Task.FromResult(cache.Get<GmsaBinding>(new(Namespace, "applied")) is { Status: not null } b ? b : null),
            Converge, "the Ready binding in the operator's cache");
        var stored = await GetBindingAsync("applied");
        Assert.Multiple(() =>
        {
            Assert.That(cached.Metadata.Annotations, Is.EquivalentTo(new Dictionary<string, string> { ["team"] = "web" }));
            Assert.That(stored.Metadata.Annotations.Keys, Is.EquivalentTo(new[] { "team", GmsaOperator.Runtime.Informers.InformerOptions.LastAppliedAnnotation }), "status writes leave the annotation alone");
        });
    }

    private async Task CreateCredSpecAsync()
    {
        var body = new Dictionary<string, object>
        {
            ["apiVersion"] = "windows.k8s.io/v1",
            ["kind"] = "GMSACredentialSpec",
            ["metadata"] = new Dictionary<string, object> { ["name"] = _credSpec },
            ["credspec"] = JsonSerializer.Deserialize<JsonElement>("""
                {"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp1","Scope":"CONTOSO"},{"Name":"WebApp1","Scope":"contoso.com"}]},
                 "CmsPlugins":["ActiveDirectory"],
                 "DomainJoinConfig":{"DnsName":"contoso.com","DnsTreeName":"contoso.com","Guid":"244818ae-87ac-4fcd-92ec-e79e5252348a",
                 "MachineAccountName":"WebApp1","NetBiosName":"CONTOSO","Sid":"S-1-5-21-2126449477-2524075714-3094792973"}}
                """),
        };
        await Client.CustomObjects.CreateClusterCustomObjectAsync(body, "windows.k8s.io", "v1", "gmsacredentialspecs");
    }

    private async Task CreateBindingAsync(string name, string[] serviceAccounts)
    {
        var binding = new GmsaBinding
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = new GmsaBindingSpec { CredentialSpecName = _credSpec, ServiceAccounts = serviceAccounts },
        };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(binding, GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural);
    }

    private async Task<GmsaBinding> GetBindingAsync(string name, CancellationToken ct = default)
    {
        var element = (JsonElement)await Client.CustomObjects.GetNamespacedCustomObjectAsync(
            GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, name, cancellationToken: ct);
        return KubernetesJson.Deserialize<GmsaBinding>(element.GetRawText());
    }

    /// <param name="reason">When given, the Ready condition's reason too (a state the binding may pass through on its way is not enough).</param>
    private Task<GmsaBinding> WaitForReadyAsync(string name, string status, TimeSpan timeout, string? reason = null) =>
        Eventually.HoldsAsync(async ct =>
        {
            var b = await GetBindingAsync(name, ct);
            var ready = b.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            return ready?.Status == status && (reason is null || ready.Reason == reason) && b.Status!.ObservedGeneration == b.Metadata.Generation ? b : null;
        }, timeout, $"GmsaBinding {name} to be Ready={status}{(reason is null ? "" : $" ({reason})")}");

    private async Task<bool> MayUseAsync(string serviceAccount, CancellationToken ct = default)
    {
        var review = await Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = $"system:serviceaccount:{Namespace}:{serviceAccount}",
                Groups = ["system:serviceaccounts", $"system:serviceaccounts:{Namespace}", "system:authenticated"],
                ResourceAttributes = new V1ResourceAttributes
                {
                    Group = "windows.k8s.io", Resource = "gmsacredentialspecs", Verb = "use", Name = _credSpec, NamespaceProperty = Namespace,
                },
            },
        }, cancellationToken: ct);
        return review.Status.Allowed;
    }

    private async Task<bool> RoleBindingExistsAsync(string bindingName, CancellationToken ct = default)
    {
        try
        {
            await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(GeneratedNames.RoleBindingFor(bindingName), Namespace, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<bool> ClusterRoleExistsAsync(CancellationToken ct = default)
    {
        try
        {
            await Client.RbacAuthorizationV1.ReadClusterRoleAsync(GeneratedNames.ClusterRoleFor(_credSpec), cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
