using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Bindings;
using static GmsaOperator.Tests.Webhooks.Requests;

namespace GmsaOperator.Tests.Webhooks;

public sealed class PodTrackingPatchesTests
{
    private const string UpstreamPatch = """[{"op":"add","path":"/spec/securityContext/windowsOptions/gmsaCredentialSpec","value":"{\"ActiveDirectoryConfig\":{\"GroupManagedServiceAccounts\":[{\"Name\":\"WebApp1\",\"Scope\":\"CONTOSO\"},{\"Name\":\"WebApp1\",\"Scope\":\"contoso.com\"}]},\"CmsPlugins\":[\"ActiveDirectory\"],\"DomainJoinConfig\":{\"DnsName\":\"contoso.com\",\"DnsTreeName\":\"contoso.com\",\"Guid\":\"244818ae-87ac-4fcd-92ec-e79e5252348a\",\"MachineAccountName\":\"WebApp1\",\"NetBiosName\":\"CONTOSO\",\"Sid\":\"S-1-5-21-2126449477-2524075714-3094792973\"}}"}]""";

    private static readonly string WebApp1Hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(WebApp1Canonical)));

    private FakeCredentialSpecs _specs = null!;

    [SetUp]
    public void SetUp() => _specs = new FakeCredentialSpecs().With("webapp1", WebApp1);

    private PodMutator Mutator(params GmsaBinding[] bindings) =>
        new(new CredentialSpecResolver(_specs), randomHostname: false) { Tracking = new PodTrackingPatches(), Bindings = new Directory(bindings) };

    private static GmsaBinding Binding(bool? trackPods = null, bool? rollout = null, string serviceAccount = "web-sa") => new()
    {
        Metadata = new() { Name = "b", NamespaceProperty = "ns1" },
        Spec = new() { CredentialSpecName = "webapp1", ServiceAccounts = [serviceAccount], TrackPods = trackPods, RolloutOnChange = rollout },
    };

    private static string PatchText(AdmissionResult result) => Encoding.UTF8.GetString(result.Patch!);

    private static string WithMetadata(string podJson, string metadataFields) =>
        podJson.Replace("\"metadata\":{\"name\":\"web\",", "\"metadata\":{" + metadataFields + "\"name\":\"web\",", StringComparison.Ordinal);

    [Test]
    public async Task BindingsThatDoNotOptIn_KeepUpstreamPatchBytes()
    {
        foreach (var mutator in new[] { Mutator(), Mutator(Binding()), Mutator(Binding(trackPods: false, rollout: false)), new PodMutator(new CredentialSpecResolver(_specs), false) })
        {
            var result = await mutator.MutateAsync(Pod("CREATE", PodJson(podOptions: Name("webapp1"))), default);
            Assert.That(PatchText(result), Is.EqualTo(UpstreamPatch));
        }
    }

    [Test]
    public async Task TrackPods_AppendsLabelAndHashesMaps_AfterUpstreamOps_WhenThePodHasNone()
    {
        var result = await Mutator(Binding(trackPods: true)).MutateAsync(Pod("CREATE", PodJson(podOptions: Name("webapp1"))), default);
        var expected = UpstreamPatch[..^1]
            + """,{"op":"add","path":"/metadata/labels","value":{"gmsa.dev/tracked":"true"}}"""
            + $$$""",{"op":"add","path":"/metadata/annotations","value":{"gmsa.dev/credspec-hashes":"{\"webapp1\":\"{{{WebApp1Hash}}}\"}"}}]""";
        Assert.That(PatchText(result), Is.EqualTo(expected));
    }

    [Test]
    public async Task ExistingMaps_GetOneEscapedMember_AndACallerSuppliedValueIsReplaced()
    {
        var pod = WithMetadata(PodJson(podOptions: Name("webapp1")), "\"labels\":{\"app\":\"web\"},\"annotations\":{\"gmsa.dev/credspec-hashes\":\"forged\"},");
        var result = await Mutator(Binding(rollout: true)).MutateAsync(Pod("CREATE", pod), default);
        var ops = JsonDocument.Parse(result.Patch!).RootElement.EnumerateArray().ToList();
        Assert.That(ops, Has.Count.EqualTo(3));
        Assert.That(ops[1].GetRawText(), Is.EqualTo("""{"op":"add","path":"/metadata/labels/gmsa.dev~1tracked","value":"true"}"""));
        Assert.That(ops[2].GetProperty("path").GetString(), Is.EqualTo("/metadata/annotations/gmsa.dev~1credspec-hashes"));
        Assert.That(ops[2].GetProperty("value").GetString(), Is.EqualTo($$"""{"webapp1":"{{WebApp1Hash}}"}"""));
    }

    [Test]
    public async Task PresetContents_AreHashedAsTheCredspecsCanonicalContents()
    {
        var result = await Mutator(Binding(trackPods: true)).MutateAsync(Pod("CREATE", PodJson(podOptions: NameAndContents("webapp1", WebApp1))), default);
        var ops = JsonDocument.Parse(result.Patch!).RootElement.EnumerateArray().ToList();
        Assert.That(ops.Select(o => o.GetProperty("path").GetString()), Is.EqualTo(new[] { "/metadata/labels", "/metadata/annotations" }));
        Assert.That(ops[1].GetProperty("value").GetProperty("gmsa.dev/credspec-hashes").GetString(), Is.EqualTo($$"""{"webapp1":"{{WebApp1Hash}}"}"""));
    }

    [Test]
    public async Task OtherServiceAccounts_AndEphemeralUpdates_AreNotTracked()
    {
        var mutator = Mutator(Binding(trackPods: true, serviceAccount: "other"));
        Assert.That(PatchText(await mutator.MutateAsync(Pod("CREATE", PodJson(podOptions: Name("webapp1"))), default)), Is.EqualTo(UpstreamPatch));

        var tracked = Mutator(Binding(trackPods: true));
        var old = PodJson(ephemeral: []);
        var result = await tracked.MutateAsync(Pod("UPDATE", PodJson(ephemeral: [Name("webapp1")]), old, "ephemeralcontainers"), default);
        Assert.That(PatchText(result), Does.Not.Contain("/metadata/"));
    }

    [Test]
    public async Task NoGmsa_StaysUnpatched_EvenWhenTracking()
    {
        var result = await Mutator(Binding(trackPods: true)).MutateAsync(Pod("CREATE", PodJson()), default);
        Assert.That(result.Patch, Is.Null);
    }

    private sealed class Directory(GmsaBinding[] bindings) : IGmsaBindingDirectory
    {
        public ValueTask<IReadOnlyList<GmsaBinding>?> GrantingAsync(string @namespace, string serviceAccount, string credentialSpecName, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<GmsaBinding>?>(
                [.. bindings.Where(b => b.Metadata.NamespaceProperty == @namespace && b.Spec.CredentialSpecName == credentialSpecName && b.Spec.ServiceAccounts.Contains(serviceAccount))]);
    }
}
