using System.Text;
using System.Text.Json;
using GmsaOperator.Webhooks.Admission;
using static GmsaOperator.Tests.Webhooks.Requests;

namespace GmsaOperator.Tests.Webhooks;

public sealed class PodMutatorTests
{
    private FakeCredentialSpecs _specs = null!;

    [SetUp]
    public void SetUp() => _specs = new FakeCredentialSpecs().With("webapp1", WebApp1);

    private PodMutator Mutator(bool randomHostname = false) => new(new CredentialSpecResolver(_specs), randomHostname, () => "h0stname0000001");

    private static string Op(string path, string value) => $$"""{"op":"add","path":"{{path}}","value":"{{value.Replace("\\", "\\\\").Replace("\"", "\\\"")}}"}""";

    private static string PatchText(AdmissionResult result) => Encoding.UTF8.GetString(result.Patch!);

    [Test]
    public async Task PodLevelName_IsExpandedIntoCanonicalJson_WithUpstreamPatchShape()
    {
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(podOptions: Name("webapp1"))), default);
        Assert.That(result.Allowed, Is.True);
        Assert.That(PatchText(result), Is.EqualTo($"[{Op("/spec/securityContext/windowsOptions/gmsaCredentialSpec", WebApp1Canonical)}]"));
    }

    [Test]
    public async Task AllFourPlaces_AreExpanded_InIteratorOrder()
    {
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(Name("webapp1"), containers: [null, Name("webapp1")], initContainers: [Name("webapp1")], ephemeral: [Name("webapp1")])), default);
        Assert.That(PatchText(result), Is.EqualTo("[" + string.Join(",",
            Op("/spec/securityContext/windowsOptions/gmsaCredentialSpec", WebApp1Canonical),
            Op("/spec/containers/1/securityContext/windowsOptions/gmsaCredentialSpec", WebApp1Canonical),
            Op("/spec/initContainers/0/securityContext/windowsOptions/gmsaCredentialSpec", WebApp1Canonical),
            Op("/spec/ephemeralContainers/0/securityContext/windowsOptions/gmsaCredentialSpec", WebApp1Canonical)) + "]"));
        Assert.That(_specs.Calls, Is.EqualTo(1), "one lookup per distinct name per request");
    }

    [Test]
    public async Task PresetContents_AreNeverRewritten_AndNotLookedUp()
    {
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(NameAndContents("unknown", "{ \"not\": \"canonical\" }"))), default);
        Assert.That(result.Allowed, Is.True);
        Assert.That(result.Patch, Is.Null);
        Assert.That(_specs.Calls, Is.Zero);
    }

    [Test]
    public async Task NoGmsa_NoPatch()
    {
        var result = await Mutator(randomHostname: true).MutateAsync(Pod("CREATE", PodJson()), default);
        Assert.That((result.Allowed, result.Patch), Is.EqualTo((true, (byte[]?)null)));
    }

    [Test]
    public async Task HtmlCharacters_InCredspec_AreEscapedTwice_InThePatch()
    {
        _specs.With("html", """{"DomainJoinConfig":{"DnsName":"<a>&"}}""");
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(Name("html"))), default);
        Assert.That(PatchText(result), Is.EqualTo("""[{"op":"add","path":"/spec/securityContext/windowsOptions/gmsaCredentialSpec","value":"{\"DomainJoinConfig\":{\"DnsName\":\"\\u003ca\\u003e\\u0026\"}}"}]"""));
        // What the API server stores after applying the patch: the six characters \u003c.
        var stored = JsonDocument.Parse(result.Patch!).RootElement[0].GetProperty("value").GetString();
        Assert.That(stored, Is.EqualTo("""{"DomainJoinConfig":{"DnsName":"\u003ca\u003e\u0026"}}"""));
    }

    [Test]
    public async Task E10_UnknownCredSpec_404()
    {
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(containers: [Name("missing")])), default);
        Assert.That((result.Allowed, result.Code, result.Message), Is.EqualTo((false, 404, "cred spec missing does not exist")));
    }

    [Test]
    public async Task E11_LookupFailure_500()
    {
        _specs.Objects["broken"] = null;
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(Name("broken"))), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((500, "unable to retrieve the contents of cred spec broken: connection refused")));
    }

    [TestCase("""{"metadata":{"name":"nokey"}}""")]
    [TestCase("""{"metadata":{"name":"nokey"},"credspec":null}""")]
    [TestCase("""{"metadata":{"name":"nokey"},"credspec":""}""")]
    public async Task E12_NoCredspecKey_417(string resource)
    {
        _specs.Objects["nokey"] = resource;
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(Name("nokey"))), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((417, "cred spec nokey does not have a credspec key")));
    }

    [Test]
    public async Task EmptyCredspecObject_IsInlinedAsEmptyObject()
    {
        _specs.With("empty", "{}");
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(Name("empty"))), default);
        Assert.That(PatchText(result), Is.EqualTo($"[{Op("/spec/securityContext/windowsOptions/gmsaCredentialSpec", "{}")}]"));
    }

    [Test]
    public async Task E1_NotAPod_400()
    {
        var result = await Mutator().MutateAsync(Of("Deployment", "CREATE", "{}"), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((400, "expected a Pod object, got a Deployment")));
    }

    [Test]
    public async Task E2_NullObject_400()
    {
        var result = await Mutator().MutateAsync(Of("Pod", "DELETE", "null"), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((400, "unable to unmarshall pod JSON object: unexpected end of JSON input")));
    }

    [Test]
    public async Task E2_UndecodablePod_400()
    {
        var result = await Mutator().MutateAsync(Of("Pod", "CREATE", """{"spec":{"containers":"nope"}}"""), default);
        Assert.That(result.Code, Is.EqualTo(400));
        Assert.That(result.Message, Does.StartWith("unable to unmarshall pod JSON object: "));
    }

    [Test]
    public async Task E3_UnexpectedOperation_400_WithUpstreamTypo()
    {
        var result = await Mutator().MutateAsync(Pod("CONNECT", PodJson()), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((400, "unpexpected operation CONNECT")));
    }

    [Test]
    public async Task Update_IsAllowedWithoutPatch_ButEphemeralContainersSubresourceIsExpanded()
    {
        var pod = PodJson(Name("webapp1"), ephemeral: [Name("webapp1")]);
        var plain = await Mutator().MutateAsync(Pod("UPDATE", pod, pod), default);
        Assert.That((plain.Allowed, plain.Patch), Is.EqualTo((true, (byte[]?)null)));

        var debug = await Mutator(randomHostname: true).MutateAsync(Pod("UPDATE", pod, PodJson(Name("webapp1")), subResource: "ephemeralcontainers"), default);
        Assert.That(PatchText(debug), Is.EqualTo($"[{Op("/spec/ephemeralContainers/0/securityContext/windowsOptions/gmsaCredentialSpec", WebApp1Canonical)}]"));
    }

    [Test]
    public async Task RandomHostname_AddedLast_OnlyWhenEnabledAndUnset()
    {
        var on = await Mutator(randomHostname: true).MutateAsync(Pod("CREATE", PodJson(Name("webapp1"))), default);
        Assert.That(PatchText(on), Does.EndWith(""",{"op":"add","path":"/spec/hostname","value":"h0stname0000001"}]"""));

        var preset = await Mutator(randomHostname: true).MutateAsync(Pod("CREATE", PodJson(NameAndContents("webapp1", "{}"))), default);
        Assert.That(PatchText(preset), Is.EqualTo("""[{"op":"add","path":"/spec/hostname","value":"h0stname0000001"}]"""));

        var hostnameSet = await Mutator(randomHostname: true).MutateAsync(Pod("CREATE", PodJson(NameAndContents("webapp1", "{}"), hostname: "mine")), default);
        Assert.That(hostnameSet.Patch, Is.Null);

        var off = await Mutator().MutateAsync(Pod("CREATE", PodJson(NameAndContents("webapp1", "{}"))), default);
        Assert.That(off.Patch, Is.Null);
    }

    [Test]
    public void RandomHostname_Is15CharDnsLabel_WithEntropy()
    {
        var names = Enumerable.Range(0, 200).Select(_ => RandomHostname.Generate()).ToList();
        Assert.That(names, Has.All.Matches("^[a-z][a-z0-9]{14}$"));
        Assert.That(names.Distinct().Count(), Is.EqualTo(200));
    }

    [TestCase("1", true)]
    [TestCase("True", true)]
    [TestCase("f", false)]
    [TestCase("FALSE", false)]
    public void RandomHostnameSwitch_ParsesLikeGo(string value, bool expected) => Assert.That(RandomHostname.ParseGoBool(value), Is.EqualTo(expected));

    [Test]
    public void RandomHostnameSwitch_RejectsGarbage_WithUpstreamText()
    {
        Assert.That(() => RandomHostname.ParseGoBool("yes"), Throws.TypeOf<FormatException>().With.Message.EqualTo("unable to parse environment variable RANDOM_HOSTNAME with value yes to bool"));
    }

    [Test]
    public async Task ANameNoObjectCanHave_IsRefusedWithoutALookup()
    {
        var result = await Mutator().MutateAsync(Pod("CREATE", PodJson(podOptions: Name(new string('a', 30_000)))), default);
        Assert.That((result.Allowed, result.Code, result.Message), Is.EqualTo((false, 422, "invalid GMSA cred spec name: Too long: may not be more than 253 bytes")));
        Assert.That(_specs.Calls, Is.Zero);
    }
}
