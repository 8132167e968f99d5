using System.Security.Cryptography.X509Certificates;
using System.Text;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Operator.Cli.Doctor;
using GmsaOperator.Webhooks.Admission;

namespace GmsaOperator.Tests.Cli;

public sealed class DoctorChecksTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private const string Url = "https://127.0.0.1:9443";
    private const string Canonical = """{"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp1","Scope":"CONTOSO"}]},"DomainJoinConfig":{"DnsName":"contoso.com","MachineAccountName":"WebApp1"}}""";

    private static readonly CertificateSettings Settings = new() { LocalMode = true };
    private static readonly X509Certificate2 Ca = CertificateIssuer.CreateCa(Now.AddDays(-1), Settings);
    private static readonly X509Certificate2 Leaf = CertificateIssuer.IssueLeaf(Ca, Now.AddDays(-1), Settings);
    private static readonly byte[] Bundle = Encoding.ASCII.GetBytes(Pem.ExportCertificates([Ca]));

    [OneTimeTearDown]
    public void DisposeCertificates()
    {
        Ca.Dispose();
        Leaf.Dispose();
    }

    private static DoctorInputs Healthy(Func<PodState, PodState>? pod = null)
    {
        var blocks = new List<GmsaBlock> { new(GmsaBlockKind.Pod, "web-0", 0, "gmsa-webapp1", Canonical, true) };
        var podState = new PodState("web-0", "webapp", blocks, "win-1", "windows", true);
        podState = pod?.Invoke(podState) ?? podState;
        IReadOnlyList<WebhookState> hooks = [new("admission-webhook.windows-gmsa.sigs.k8s.io", $"{Url}/validate", null, Bundle)];
        return new DoctorInputs(Now,
            [new("gmsacredentialspecs.windows.k8s.io", ["v1", "v1alpha1"]), new("gmsabindings.gmsa.dev", ["v1alpha1"])],
            new LeaseState("gmsa-system", "gmsa-operator-leader", true, "op-1", Now.AddSeconds(-5), 15),
            [new("MutatingWebhookConfiguration", "gmsa-operator-webhook", [hooks[0] with { Url = $"{Url}/mutate" }]), new("ValidatingWebhookConfiguration", "gmsa-operator-webhook", hooks)],
            [new($"{Url}/", Leaf, null)],
            new TargetState("pod/web-0", "web", true, ["gmsa-webapp1"], ["webapp"], [podState]),
            ["gmsa-webapp1", "other"],
            [new("gmsa-webapp1", Canonical, "contoso.com")],
            [new("webapp1", "gmsa-webapp1", ["webapp"], "True", "RbacApplied")],
            [new("webapp", "gmsa-webapp1", true, "")]);
    }

    private static CheckResult Single(DoctorReport report, string titlePart) => report.Checks.Single(c => c.Title.Contains(titlePart, StringComparison.Ordinal));

    [Test]
    public void Healthy_AllPass_PrintsInPodChecks_Exit0()
    {
        var report = DoctorReport.From(Healthy());
        Assert.That(report.Checks.Where(c => c.Status != CheckStatus.Pass), Is.Empty, report.ToText());
        Assert.That(report.ExitCode, Is.EqualTo(0));
        Assert.That(Single(report, "may use gmsa-webapp1").Detail, Is.EqualTo("granted by GmsaBinding webapp1"));
        var text = report.ToText();
        Assert.That(text, Does.Contain("nltest /parentdomain").And.Contain("nslookup contoso.com").And.Contain("nltest /query")
            .And.Contain("nltest /sc_reset:contoso.com").And.Contain("17763.1817").And.Contain("KB5000822").And.Contain("EnableCompartmentNamespace")
            .And.Contain("kubectl -n web exec -it web-0"));
        Assert.That(text, Does.StartWith("GMSA doctor: namespace web, pod/web-0\n✓ CRD gmsacredentialspecs.windows.k8s.io installed: serves v1, v1alpha1\n"));
    }

    [Test]
    public void Json_HasStatusesAndPassed()
    {
        var json = DoctorReport.From(Healthy() with { Access = [new("webapp", "gmsa-webapp1", false, "no RBAC policy matched")] }).ToJson();
        Assert.That(json, Does.Contain("\"passed\": false").And.Contain("\"status\": \"Fail\"").And.Contain("\"fix\": ").And.Not.Contain("inPodChecks"));
    }

    [Test]
    public void CrdMissingAVersion_Fails()
    {
        var report = DoctorReport.From(Healthy() with { Crds = [new("gmsacredentialspecs.windows.k8s.io", ["v1"]), new("gmsabindings.gmsa.dev", null)] });
        Assert.That(Single(report, "gmsacredentialspecs").Detail, Is.EqualTo("does not serve v1alpha1 (serves v1)"));
        Assert.That(Single(report, "gmsabindings").Fix, Does.Contain("kubectl apply -k config/crd"));
        Assert.That(report.ExitCode, Is.EqualTo(1));
        Assert.That(report.InPodChecks, Is.Null);
    }

    [Test]
    public void ExpiredLease_Fails()
    {
        var check = DoctorChecks.Operator(new LeaseState("gmsa-system", "gmsa-operator-leader", true, "op-1", Now.AddMinutes(-3), 15), Now);
        Assert.That(check.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(check.Detail, Does.Contain("held by op-1 expired 3 min ago"));
        Assert.That(DoctorChecks.Operator(new LeaseState("ns", "l", false, null, null, null), Now).Fix, Does.Contain("start the operator"));
    }

    [Test]
    public void MissingWebhookConfiguration_Fails()
    {
        var inputs = Healthy();
        var report = DoctorReport.From(inputs with { WebhookConfigurations = [inputs.WebhookConfigurations[0] with { Webhooks = null }, inputs.WebhookConfigurations[1]] });
        var check = Single(report, "MutatingWebhookConfiguration gmsa-operator-webhook present");
        Assert.That(check.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(check.Fix, Does.Contain("kubectl apply -k config/default"));
    }

    [Test]
    public void WrongCaBundle_Fails()
    {
        var otherCa = CertificateIssuer.CreateCa(Now.AddDays(-1), Settings);
        var wrong = Encoding.ASCII.GetBytes(Pem.ExportCertificates([otherCa]));
        var inputs = Healthy();
        var hooks = inputs.WebhookConfigurations.Select(c => c with { Webhooks = [.. c.Webhooks!.Select(h => h with { CaBundle = wrong })] }).ToList();
        var report = DoctorReport.From(inputs with { WebhookConfigurations = hooks });
        var failed = report.Checks.Where(c => c.Status == CheckStatus.Fail).ToList();
        Assert.That(failed, Has.Count.EqualTo(2));
        Assert.That(failed[0].Detail, Does.StartWith($"the caBundle does not verify the certificate served at {Url}/mutate: chain not trusted"));
        Assert.That(failed[0].Fix, Does.Contain("certificate controller"));
    }

    [Test]
    public void EmptyCaBundle_Fails_AndServiceWebhookIsAWarning()
    {
        var inputs = Healthy();
        var report = DoctorReport.From(inputs with
        {
            WebhookConfigurations =
            [
                inputs.WebhookConfigurations[0] with { Webhooks = [new("admission-webhook.windows-gmsa.sigs.k8s.io", null, "gmsa-system/svc:443", [])] },
                inputs.WebhookConfigurations[1] with { Webhooks = [new("admission-webhook.windows-gmsa.sigs.k8s.io", null, "gmsa-system/svc:443", Bundle)] },
            ],
        });
        Assert.That(report.Checks.Single(c => c.Title.StartsWith("Mutating", StringComparison.Ordinal) && c.Title.EndsWith("caBundle", StringComparison.Ordinal)).Detail, Does.StartWith("caBundle is empty"));
        var service = report.Checks.Single(c => c.Title.StartsWith("Validating", StringComparison.Ordinal) && c.Title.EndsWith("caBundle", StringComparison.Ordinal));
        Assert.That(service.Status, Is.EqualTo(CheckStatus.Warn));
        Assert.That(service.Detail, Does.Contain("cannot reach from outside the cluster"));
    }

    [Test]
    public void UnreachableWebhook_Fails_AndLeafNearExpiryWarns()
    {
        var unreachable = DoctorReport.From(Healthy() with { ServedCertificates = [new($"{Url}/", null, "Connection refused")] });
        Assert.That(unreachable.Checks.First(c => c.Status == CheckStatus.Fail).Detail, Is.EqualTo($"cannot fetch the certificate served at {Url}/mutate: Connection refused"));

        var late = DoctorReport.From(Healthy() with { Now = Leaf.NotAfter.ToUniversalTime().AddDays(-2) is var t ? new DateTimeOffset(t, TimeSpan.Zero) : Now, Lease = Healthy().Lease with { RenewTime = null } });
        Assert.That(late.Checks.Where(c => c.Title.EndsWith("caBundle", StringComparison.Ordinal)).Select(c => c.Status), Is.All.EqualTo(CheckStatus.Warn));
        Assert.That(late.ExitCode, Is.EqualTo(0), "a warning does not fail");
    }

    [Test]
    public void UnknownCredSpec_Fails_WithConvertFix()
    {
        var inputs = Healthy();
        var report = DoctorReport.From(inputs with { Target = inputs.Target with { CredentialSpecNames = ["nope"] }, Access = [new("webapp", "nope", false, "")] });
        var check = Single(report, "GMSACredentialSpec nope exists");
        Assert.That(check.Detail, Is.EqualTo("not found"));
        Assert.That(check.Fix, Does.Contain("gmsa-operator credspec convert CredSpec.json | kubectl apply -f -"));
    }

    [Test]
    public void WrongCaseName_Fails_WithDidYouMean()
    {
        var inputs = Healthy();
        var report = DoctorReport.From(inputs with { Target = inputs.Target with { CredentialSpecNames = ["gmsa-WebApp1"] }, Access = [new("webapp", "gmsa-WebApp1", false, "")] });
        var check = Single(report, "GMSACredentialSpec gmsa-WebApp1 exists");
        Assert.That(check.Detail, Is.EqualTo("not found (object names are lower-case, so this one can never exist); did you mean gmsa-webapp1? Names (and RBAC resourceNames) are case-sensitive"));
        Assert.That(check.Fix, Does.Contain("gmsaCredentialSpecName: gmsa-webapp1"));
        Assert.That(Single(report, "may use gmsa-WebApp1").Detail, Does.Contain("GmsaBinding webapp1 names gmsa-webapp1, which differs in case"));
    }

    [Test]
    public void HandWrittenRbacWithWrongCase_Fails_NamingTheRole()
    {
        var report = DoctorReport.From(Healthy() with
        {
            Bindings = [],
            Access = [new("webapp", "gmsa-webapp1", false, "")],
            RbacGrants = [new("ClusterRole", "webapp1-role", ["gmsa-Webapp1"]), new("ClusterRole", "unrelated", ["other"])],
        });
        var check = Single(report, "may use gmsa-webapp1");
        Assert.That(check.Detail, Does.EndWith("ClusterRole webapp1-role grants use of gmsa-Webapp1, which differs in case from gmsa-webapp1 (RBAC resourceNames are case-sensitive)"));
        Assert.That(check.Fix, Does.StartWith("change resourceNames in ClusterRole webapp1-role to [gmsa-webapp1]"));
    }

    [Test]
    public void TypoInCredSpecName_SuggestsTheClosest()
    {
        var inputs = Healthy();
        var report = DoctorReport.From(inputs with { Target = inputs.Target with { CredentialSpecNames = ["gmsa-webap1"] }, Access = [] });
        Assert.That(Single(report, "GMSACredentialSpec gmsa-webap1 exists").Detail, Is.EqualTo("not found; did you mean gmsa-webapp1?"));
    }

    [Test]
    public void NoBinding_Fails_WithBindingFix()
    {
        var report = DoctorReport.From(Healthy() with { Bindings = [], Access = [new("webapp", "gmsa-webapp1", false, "")] });
        var check = Single(report, "service account web/webapp may use gmsa-webapp1");
        Assert.That(check.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(check.Detail, Is.EqualTo("the SubjectAccessReview denies it and no GmsaBinding in web grants it"));
        Assert.That(check.Fix, Does.Contain("--with-binding web:webapp"));
    }

    [Test]
    public void BindingNotYetApplied_Fails_PointingAtTheBinding()
    {
        var report = DoctorReport.From(Healthy() with { Bindings = [new("webapp1", "gmsa-webapp1", ["webapp"], "False", "CredentialSpecNotFound")], Access = [new("webapp", "gmsa-webapp1", false, "")] });
        var check = Single(report, "may use");
        Assert.That(check.Detail, Does.Contain("GmsaBinding webapp1 lists it (Ready=False, CredentialSpecNotFound)"));
        Assert.That(check.Fix, Does.Contain("describe gmsabinding webapp1"));
    }

    [Test]
    public void UnexpandedBlock_Fails_WithRecreateFix()
    {
        var report = DoctorReport.From(Healthy(p => p with { Blocks = [new(GmsaBlockKind.Container, "iis", 0, "gmsa-webapp1", null, true)] }));
        var check = Single(report, "container iis credential spec expanded");
        Assert.That(check.Detail, Does.Contain("created while the webhook was absent"));
        Assert.That(check.Fix, Does.Contain("kubectl -n web delete pod web-0"));
    }

    [Test]
    public void MismatchedBlock_Fails_ButReorderedJsonMatches()
    {
        var reordered = """{"DomainJoinConfig":{"MachineAccountName":"WebApp1","DnsName":"contoso.com"},"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Scope":"CONTOSO","Name":"WebApp1"}]}}""";
        Assert.That(DoctorReport.From(Healthy(p => p with { Blocks = [new(GmsaBlockKind.Pod, "web-0", 0, "gmsa-webapp1", reordered, true)] })).ExitCode, Is.EqualTo(0));
        var report = DoctorReport.From(Healthy(p => p with { Blocks = [new(GmsaBlockKind.Pod, "web-0", 0, "gmsa-webapp1", "{\"x\":1}", true)] }));
        Assert.That(Single(report, "pod-level credential spec expanded").Detail, Does.StartWith("the inline gmsaCredentialSpec does not match gmsa-webapp1"));
    }

    [TestCase(null, null, true, "the pod is not scheduled yet")]
    [TestCase("lin-1", "linux", true, "node lin-1 runs linux")]
    [TestCase("gone", null, false, "node gone does not exist")]
    public void PodNotOnAWindowsNode_Fails(string? node, string? os, bool exists, string detail)
    {
        var report = DoctorReport.From(Healthy(p => p with { NodeName = node, NodeOs = os, NodeExists = exists }));
        var check = Single(report, "scheduled on a Windows node");
        Assert.That((check.Status, check.Detail), Is.EqualTo((CheckStatus.Fail, detail)));
    }

    [Test]
    public void TargetWithoutGmsa_OrMissing_Fails()
    {
        var inputs = Healthy();
        Assert.That(DoctorReport.From(inputs with { Target = inputs.Target with { Found = false } }).Checks.Last().Detail, Is.EqualTo("not found in namespace web"));
        Assert.That(DoctorReport.From(inputs with { Target = inputs.Target with { CredentialSpecNames = [], Pods = [] } }).Checks.Last().Title, Is.EqualTo("pod/web-0 uses a GMSA"));
    }

    [TestCase("pod/web-0", DoctorTargetKind.Pod)]
    [TestCase("deploy/web", DoctorTargetKind.Deployment)]
    [TestCase("sa/webapp", DoctorTargetKind.ServiceAccount)]
    [TestCase("gmsab/b", DoctorTargetKind.GmsaBinding)]
    public void Target_Parses(string text, DoctorTargetKind kind) => Assert.That(DoctorTarget.Parse(text, out _)!.Kind, Is.EqualTo(kind));

    [TestCase(new[] { "--help" }, "credspec")]
    [TestCase(new[] { "credspec", "--help" }, "convert")]
    [TestCase(new[] { "doctor", "--help" }, "--webhook-configuration")]
    public async Task Help_OnEveryLevel(string[] args, string mentions)
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(args);
        Assert.That((exit, stdout.Contains(mentions, StringComparison.Ordinal)), Is.EqualTo((0, true)), stdout);
    }

    [Test]
    public async Task Command_BadTarget_Exit2()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("doctor", "node/x", "--kubeconfig", "/nonexistent");
        Assert.That((exit, stderr), Is.EqualTo((2, "error: 'node/x' is not one of pod/NAME, deployment/NAME, serviceaccount/NAME or gmsabinding/NAME.\n")));
    }
}
