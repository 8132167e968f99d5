using System.Text;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Bindings;
using k8s.Models;
using static GmsaOperator.Tests.Webhooks.Requests;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>Bindings in memory, answering <see cref="IGmsaBindingDirectory.GrantingAsync"/> as the informer-backed directory does.</summary>
internal sealed class FakeBindings : IGmsaBindingDirectory
{
    public List<GmsaBinding> Items { get; } = [];

    public FakeBindings With(string name, string credentialSpec, string serviceAccount, SecureChannelRepairSpec? repair, string ns = "ns1")
    {
        Items.Add(new GmsaBinding
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new GmsaBindingSpec { CredentialSpecName = credentialSpec, ServiceAccounts = [serviceAccount], SecureChannelRepair = repair },
        });
        return this;
    }

    /// <summary>Answer as a directory whose cache is loading and whose API read failed.</summary>
    public bool Unreadable { get; init; }

    /// <summary>Lookups asked of this directory, as (namespace, service account, credspec).</summary>
    public List<(string Namespace, string ServiceAccount, string CredentialSpec)> Lookups { get; } = [];

    public ValueTask<IReadOnlyList<GmsaBinding>?> GrantingAsync(string @namespace, string serviceAccount, string credentialSpecName, CancellationToken cancellationToken)
    {
        Lookups.Add((@namespace, serviceAccount, credentialSpecName));
        return ValueTask.FromResult<IReadOnlyList<GmsaBinding>?>(Unreadable ? null :
        [.. Items.Where(b => b.Metadata.NamespaceProperty == @namespace && b.Spec.CredentialSpecName == credentialSpecName && b.Spec.ServiceAccounts.Contains(serviceAccount))
            .OrderBy(b => b.Metadata.Name, StringComparer.Ordinal)]);
    }
}

public sealed class SecureChannelRepairTests
{
    /// <summary>The hook's exec handler as it must appear in the patch, byte for byte (maxAttempts n, intervalSeconds s, domain contoso.com).</summary>
    private static string Handler(int n = 10, int s = 6) =>
        "{\"exec\":{\"command\":[\"powershell.exe\",\"-command\",\"for ($attempt = 1; $attempt -le " + n + "; $attempt++) { Restart-Service -Name netlogon; "
        + "if ((nltest.exe /query) -like '*0x0 NERR_Success*') { exit 0 }; if ($attempt -lt " + n + ") { Start-Sleep -Seconds " + s + " } }; "
        + "Write-Output 'gmsa-operator secure-channel repair: the secure channel to domain contoso.com does not work: nltest /query did not report NERR_Success after "
        + n + " netlogon restarts " + s + " s apart. Check that the node reaches a domain controller of contoso.com (nltest /sc_query:contoso.com).'; exit 1\"]}}";

    // The canonical credspec as a JSON string literal (quotes escaped), as the credspec ops carry it.
    private static readonly string WebApp1CanonicalQuoted = "\"" + WebApp1Canonical.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    private static readonly string PodCredSpecOp = "{\"op\":\"add\",\"path\":\"/spec/securityContext/windowsOptions/gmsaCredentialSpec\",\"value\":" + WebApp1CanonicalQuoted + "}";

    private static readonly SecureChannelRepairSpec On = new() { Enabled = true };

    private FakeCredentialSpecs _specs = null!;
    private FakeBindings _bindings = null!;

    [SetUp]
    public void SetUp()
    {
        _specs = new FakeCredentialSpecs().With("webapp1", WebApp1);
        _bindings = new FakeBindings();
    }

    private PodMutator Mutator(bool repair = true) =>
        new(new CredentialSpecResolver(_specs), false, () => "h0stname0000001", repair ? new SecureChannelRepair() : null) { Bindings = _bindings };

    /// <summary>A pod of service account web-sa: pod-level windowsOptions and containers given as raw JSON members after the name.</summary>
    private static string PodWith(string? podOptions, string[] containers, string? annotations = null, string[]? initContainers = null, string serviceAccount = "\"serviceAccountName\":\"web-sa\",")
    {
        static string List(string prefix, string[] items) => "[" + string.Join(",", items.Select((c, i) => $$"""{"name":"{{prefix}}{{i}}","image":"iis:1"{{c}}}""")) + "]";
        var meta = annotations is null ? "" : $",\"annotations\":{annotations}";
        var security = podOptions is null ? "" : $"\"securityContext\":{{\"windowsOptions\":{podOptions}}},";
        return $"{{\"metadata\":{{\"name\":\"web\",\"namespace\":\"ns1\"{meta}}},\"spec\":{{{serviceAccount}{security}\"containers\":{List("c", containers)},\"initContainers\":{List("i", initContainers ?? [])}}}}}";
    }

    private const string ContainerName = ",\"securityContext\":{\"windowsOptions\":{\"gmsaCredentialSpecName\":\"webapp1\"}}";

    private static string Text(AdmissionResult result) => Encoding.UTF8.GetString(result.Patch!);

    private static string LifecycleOp(int index, int n = 10, int s = 6) => $"{{\"op\":\"add\",\"path\":\"/spec/containers/{index}/lifecycle\",\"value\":{{\"postStart\":{Handler(n, s)}}}}}";

    [Test]
    public async Task PodLevelCredSpec_EveryRegularContainerGetsTheWholeLifecycle_InitContainersNone()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), ["", ""], initContainers: [""])), default);
        Assert.That(Text(result), Is.EqualTo($"[{PodCredSpecOp},{LifecycleOp(0)},{LifecycleOp(1)}]"));
        Assert.That(result.Warnings, Is.Empty);
    }

    [Test]
    public async Task BindingsUnreadable_DeniesTheCreate_WithoutGuessingOptions()
    {
        _bindings = new FakeBindings { Unreadable = true };
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), [""])), default);
        Assert.That((result.Allowed, result.Code, result.Message), Is.EqualTo((false, 500,
            "unable to read the GmsaBindings of namespace ns1: the operator is still loading its cache and the API server did not answer; retry")));

        // Pods without GMSA never need the bindings.
        Assert.That((await Mutator().MutateAsync(Pod("CREATE", PodWith(null, [""])), default)).Allowed, Is.True);
    }

    [Test]
    public async Task RepairAndTracking_AskForEachCredSpecsBindingsOncePerAdmission()
    {
        // While the binding cache loads, every lookup is a namespaced list sent to the API server.
        _bindings.With("web", "webapp1", "web-sa", On);
        _specs.With("webapp2", WebApp1);
        var mutator = new PodMutator(new CredentialSpecResolver(_specs), false, () => "h0stname0000001", new SecureChannelRepair())
        {
            Tracking = new PodTrackingPatches(),
            Bindings = _bindings,
        };
        var containerWebApp2 = ",\"securityContext\":{\"windowsOptions\":{\"gmsaCredentialSpecName\":\"webapp2\"}}";
        var result = await mutator.MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), ["", containerWebApp2, ContainerName])), default);

        Assert.That(result.Allowed, Is.True);
        Assert.That(_bindings.Lookups, Is.EquivalentTo(new[] { ("ns1", "web-sa", "webapp1"), ("ns1", "web-sa", "webapp2") }));
    }

    [Test]
    public async Task ContainerLevelCredSpec_OnlyThatContainer()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(null, ["", ContainerName])), default);
        Assert.That(Text(result), Is.EqualTo(
            $"[{{\"op\":\"add\",\"path\":\"/spec/containers/1/securityContext/windowsOptions/gmsaCredentialSpec\",\"value\":{WebApp1CanonicalQuoted}}},{LifecycleOp(1)}]"));
    }

    [Test]
    public async Task LifecycleWithPreStopOnly_GetsPostStartAddedBesideIt()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var preStop = ",\"lifecycle\":{\"preStop\":{\"exec\":{\"command\":[\"cmd\",\"/c\",\"exit\"]}}}";
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), [preStop])), default);
        Assert.That(Text(result), Is.EqualTo($"[{PodCredSpecOp},{{\"op\":\"add\",\"path\":\"/spec/containers/0/lifecycle/postStart\",\"value\":{Handler()}}}]"));
    }

    [Test]
    public async Task OwnPostStart_IsLeftAlone_WithAWarning()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var own = ",\"lifecycle\":{\"postStart\":{\"exec\":{\"command\":[\"cmd\",\"/c\",\"echo hi\"]}}}";
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), [own, ""])), default);
        Assert.That(Text(result), Is.EqualTo($"[{PodCredSpecOp},{LifecycleOp(1)}]"));
        Assert.That(result.Warnings, Is.EqualTo(new[]
        {
            "container c0 has its own lifecycle.postStart hook, so the secure-channel repair of GmsaBinding web was not added (annotate the pod gmsa.dev/secure-channel-repair: disabled if that is intended)",
        }));
    }

    [Test]
    public async Task OptOutAnnotation_LeavesThePodAsWithoutTheOption_AndSilencesWarnings()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var own = ",\"lifecycle\":{\"postStart\":{\"exec\":{\"command\":[\"cmd\"]}}}";
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), ["", own], "{\"gmsa.dev/secure-channel-repair\":\"disabled\"}")), default);
        Assert.That(Text(result), Is.EqualTo($"[{PodCredSpecOp}]"));
        Assert.That(result.Warnings, Is.Empty);
    }

    [Test]
    public async Task AnnotationWithAnotherValue_DoesNotOptOut_AndSaysSo()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), [""], "{\"gmsa.dev/secure-channel-repair\":\"off\"}")), default);
        Assert.That(Text(result), Is.EqualTo($"[{PodCredSpecOp},{LifecycleOp(0)}]"));
        Assert.That(result.Warnings, Is.EqualTo(new[] { "annotation gmsa.dev/secure-channel-repair is not \"disabled\", the only value that opts a pod out; the secure-channel repair was added" }));
    }

    [Test]
    public async Task TwoBindings_TheStricterWins_WhateverTheirOrder()
    {
        _bindings.With("a-lenient", "webapp1", "web-sa", new SecureChannelRepairSpec { Enabled = true, MaxAttempts = 30, IntervalSeconds = 2 })
            .With("b-strict", "webapp1", "web-sa", new SecureChannelRepairSpec { Enabled = true, MaxAttempts = 3, IntervalSeconds = 20 })
            .With("c-off", "webapp1", "web-sa", new SecureChannelRepairSpec { Enabled = false, MaxAttempts = 1, IntervalSeconds = 1 });
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), [""])), default);
        Assert.That(Text(result), Is.EqualTo($"[{PodCredSpecOp},{LifecycleOp(0, 3, 20)}]"));
    }

    [Test]
    public void Selection_FewestAttempts_ThenShortestInterval_ThenName_OnlyEnabled()
    {
        static (string, SecureChannelRepairSpec?) B(string name, bool enabled, int attempts, int interval) =>
            (name, new SecureChannelRepairSpec { Enabled = enabled, MaxAttempts = attempts, IntervalSeconds = interval });
        Assert.That(SecureChannelRepairSelection.Choose([B("z", true, 5, 9), B("y", true, 5, 3), B("x", true, 5, 3), B("w", false, 1, 1)]),
            Is.EqualTo(new SecureChannelRepairChoice("x", 5, 3)));
        Assert.That(SecureChannelRepairSelection.Choose([B("a", false, 1, 1), ("b", null)]), Is.Null);
        Assert.That(SecureChannelRepairSelection.Choose([B("old-crd", true, 0, 3600)]), Is.EqualTo(new SecureChannelRepairChoice("old-crd", 1, 60)), "out-of-bounds values are clamped");
    }

    [Test]
    public async Task NoBindingOrOptionOff_PatchIsByteIdenticalToTheMutatorWithoutTheFeature()
    {
        var pod = PodWith(Name("webapp1"), ["", ContainerName]);
        var today = await Mutator(repair: false).MutateAsync(Pod("CREATE", pod), default);

        var noBinding = await Mutator().MutateAsync(Pod("CREATE", pod), default);
        _bindings.With("web", "webapp1", "web-sa", new SecureChannelRepairSpec { Enabled = false }).With("plain", "webapp1", "web-sa", null);
        var off = await Mutator().MutateAsync(Pod("CREATE", pod), default);
        _bindings.With("other-sa", "webapp1", "someone-else", On).With("other-ns", "webapp1", "web-sa", On, ns: "ns2");
        var elsewhere = await Mutator().MutateAsync(Pod("CREATE", pod), default);

        Assert.That(Text(today), Is.EqualTo($"[{PodCredSpecOp},{{\"op\":\"add\",\"path\":\"/spec/containers/1/securityContext/windowsOptions/gmsaCredentialSpec\",\"value\":{WebApp1CanonicalQuoted}}}]"));
        foreach (var result in new[] { noBinding, off, elsewhere })
        {
            Assert.That(result.Patch, Is.EqualTo(today.Patch));
            Assert.That(result.Warnings, Is.Empty);
        }
    }

    [Test]
    public async Task ServiceAccountDefaultsToDefault()
    {
        _bindings.With("web", "webapp1", "default", On);
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), [""], serviceAccount: "")), default);
        Assert.That(Text(result), Is.EqualTo($"[{PodCredSpecOp},{LifecycleOp(0)}]"));
    }

    [Test]
    public async Task AlreadyCarriedHook_IsNotAddedAgainNorWarned_OnReinvocation()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var first = await Mutator().MutateAsync(Pod("CREATE", PodWith(Name("webapp1"), [""])), default);
        var mutated = PodWith(NameAndContents("webapp1", WebApp1Canonical), [$",\"lifecycle\":{{\"postStart\":{Handler()}}}"]);
        var again = await Mutator().MutateAsync(Pod("CREATE", mutated), default);
        Assert.That(first.Patch, Is.Not.Null);
        Assert.That((again.Patch, again.Warnings.Count), Is.EqualTo(((byte[]?)null, 0)));
    }

    [Test]
    public async Task InlineCredSpecWithoutAPlainDomain_GetsNoHook_AndAWarning()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var inline = NameAndContents("webapp1", """{"DomainJoinConfig":{"DnsName":"contoso.com'; Remove-Item C:\\ -Recurse; '"}}""");
        var result = await Mutator().MutateAsync(Pod("CREATE", PodWith(inline, [""])), default);
        Assert.That(result.Patch, Is.Null);
        Assert.That(result.Warnings, Is.EqualTo(new[] { "container c0: the secure-channel repair of GmsaBinding web was not added because GMSACredentialSpec webapp1 has no DomainJoinConfig.DnsName that is a plain DNS name" }));
    }

    [Test]
    public async Task UpdateOfEphemeralContainers_NeverAddsHooks()
    {
        _bindings.With("web", "webapp1", "web-sa", On);
        var pod = PodJson(Name("webapp1"), ephemeral: [Name("webapp1")]);
        var result = await Mutator().MutateAsync(Pod("UPDATE", pod, PodJson(Name("webapp1")), subResource: "ephemeralcontainers"), default);
        Assert.That(Text(result), Does.Not.Contain("lifecycle"));
    }

    [TestCase("contoso.com", true)]
    [TestCase("CONTOSO", true)]
    [TestCase("a-b.c-d.example", true)]
    [TestCase("contoso.com'", false)]
    [TestCase("contoso .com", false)]
    [TestCase("-contoso.com", false)]
    [TestCase("contoso..com", false)]
    [TestCase("contoso.com\n", false)]
    [TestCase("", false)]
    public void OnlyPlainDnsNamesReachTheScript(string name, bool plain) => Assert.That(SecureChannelRepairHook.IsPlainDnsName(name), Is.EqualTo(plain));

    [Test]
    public void HookIsRecognised_ButNotAnyPowerShellCommand()
    {
        Assert.That(SecureChannelRepairHook.IsRepairHook(SecureChannelRepairHook.Command("contoso.com", 3, 1)), Is.True);
        Assert.That(SecureChannelRepairHook.IsRepairHook(["powershell.exe", "-command", "Restart-Service netlogon"]), Is.False);
        Assert.That(SecureChannelRepairHook.IsRepairHook(null), Is.False);
    }
}
