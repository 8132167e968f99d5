using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Cli.Doctor;
using GmsaOperator.Webhooks.Admission;

namespace GmsaOperator.Tests.Cli;

public sealed class DoctorSecureChannelRepairTests
{
    private const string Canonical = """{"DomainJoinConfig":{"DnsName":"contoso.com"}}""";
    private static readonly SecureChannelRepairSpec Repair = new() { Enabled = true, MaxAttempts = 4, IntervalSeconds = 2 };

    private static string Hook(int attempts = 4, int interval = 2) =>
        $",\"lifecycle\":{{\"postStart\":{SecureChannelRepair.HandlerJson(SecureChannelRepairHook.Command("contoso.com", attempts, interval))}}}";

    private static IReadOnlyList<CheckResult> Check(string[] containers, SecureChannelRepairSpec? repair, string? annotations = null)
    {
        var list = string.Join(",", containers.Select((c, i) => $$"""{"name":"c{{i}}"{{c}}}"""));
        var meta = annotations is null ? "" : $",\"annotations\":{annotations}";
        var podOptions = $"{{\"gmsaCredentialSpecName\":\"gmsa-webapp1\",\"gmsaCredentialSpec\":{JsonSerializer.Serialize(Canonical)}}}";
        var json = $"{{\"metadata\":{{\"name\":\"web-0\"{meta}}},\"spec\":{{\"serviceAccountName\":\"webapp\",\"securityContext\":{{\"windowsOptions\":{podOptions}}},\"containers\":[{list}]}}}}";
        using var document = JsonDocument.Parse(json);
        Assert.That(PodDecoder.TryDecode(document.RootElement, out var pod, out _), Is.True);
        var inputs = new DoctorInputs(DateTimeOffset.UnixEpoch, [], new LeaseState("gmsa-system", "l", true, "op", null, null), [], [],
            new TargetState("pod/web-0", "web", true, ["gmsa-webapp1"], ["webapp"], [new PodState("web-0", "webapp", [.. GmsaBlock.Enumerate(pod)], "win-1", "windows", true, pod)]),
            ["gmsa-webapp1"], [new("gmsa-webapp1", Canonical, "contoso.com")],
            [new("plain", "gmsa-webapp1", ["webapp"], "True", null), new("repair", "gmsa-webapp1", ["webapp"], "True", null, repair)],
            []);
        return [.. DoctorChecks.SecureChannelRepair(inputs)];
    }

    [Test]
    public void HookFromTheBinding_PassesAndNamesIt()
    {
        var check = Check([Hook()], Repair).Single();
        Assert.That((check.Status, check.Title, check.Detail), Is.EqualTo((CheckStatus.Pass, "pod web-0: container c0 secure-channel repair hook",
            "present, from GmsaBinding repair (maxAttempts 4, intervalSeconds 2)")));
    }

    [Test]
    public void MissingHook_FailsWithRecreateFix()
    {
        var check = Check([""], Repair).Single();
        Assert.That((check.Status, check.Detail), Is.EqualTo((CheckStatus.Fail,
            "missing although GmsaBinding repair (maxAttempts 4, intervalSeconds 2) enables it: the pod was created before that (or while the webhook was absent)")));
        Assert.That(check.Fix, Is.EqualTo("delete the pod so it is created again through the webhook: kubectl -n web delete pod web-0"));
    }

    [Test]
    public void StaleHook_OwnHook_OptOut_AndLeftoverHook_AreReported()
    {
        Assert.That(Check([Hook(10, 6)], Repair).Single().Detail, Does.StartWith("present, but not the one GmsaBinding repair"));
        var own = Check([",\"lifecycle\":{\"postStart\":{\"exec\":{\"command\":[\"cmd\"]}}}"], Repair).Single();
        Assert.That((own.Status, own.Detail), Is.EqualTo((CheckStatus.Warn, "not added: the container has its own lifecycle.postStart hook (GmsaBinding repair (maxAttempts 4, intervalSeconds 2) enables the repair)")));
        var optOut = Check([""], Repair, "{\"gmsa.dev/secure-channel-repair\":\"disabled\"}").Single();
        Assert.That((optOut.Status, optOut.Detail), Is.EqualTo((CheckStatus.Pass, "not added: the pod opts out with gmsa.dev/secure-channel-repair: disabled (GmsaBinding repair (maxAttempts 4, intervalSeconds 2) enables it)")));
        var leftover = Check([Hook()], new SecureChannelRepairSpec { Enabled = false }).Single();
        Assert.That((leftover.Status, leftover.Detail), Is.EqualTo((CheckStatus.Warn,
            "present, but no GmsaBinding granting service account webapp this container's credential spec enables secureChannelRepair any more")));
    }

    [Test]
    public void FeatureUnused_ReportsNothing() => Assert.That(Check([""], null), Is.Empty);
}
