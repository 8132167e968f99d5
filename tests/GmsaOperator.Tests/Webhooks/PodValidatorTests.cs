using GmsaOperator.Webhooks.Admission;
using static GmsaOperator.Tests.Webhooks.Requests;

namespace GmsaOperator.Tests.Webhooks;

public sealed class PodValidatorTests
{
    private const string WebSa = "system:serviceaccount:ns1:web-sa";
    private FakeCredentialSpecs _specs = null!;
    private FakeReviewer _reviewer = null!;

    [SetUp]
    public void SetUp()
    {
        _specs = new FakeCredentialSpecs().With("webapp1", WebApp1);
        _reviewer = new FakeReviewer();
    }

    private PodValidator Validator() => new(new CredentialSpecResolver(_specs), _reviewer);

    private void Grant(string name = "webapp1") => _reviewer.Allowed.Add((WebSa, name));

    [Test]
    public async Task Authorized_WithCanonicalContents_IsAllowed_WithOneReviewPerCredSpec()
    {
        Grant();
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(NameAndContents("webapp1", WebApp1Canonical), containers: [NameAndContents("webapp1", WebApp1Canonical), Name("webapp1")])), default);
        Assert.That(result.Allowed, Is.True);
        Assert.That(_reviewer.Calls, Has.Count.EqualTo(1));
        var (subject, ns, name) = _reviewer.Calls[0];
        Assert.That((subject.User, ns, name), Is.EqualTo((WebSa, "ns1", "webapp1")));
        Assert.That(subject.Groups, Is.EqualTo(new[] { "system:serviceaccounts", "system:serviceaccounts:ns1" }));
        Assert.That((subject.Uid, subject.Extra), Is.EqualTo(((string?)null, (IReadOnlyDictionary<string, IReadOnlyList<string>>?)null)));
    }

    [Test]
    public async Task NameWithoutContents_OnlyNeedsTheReview()
    {
        Grant("unknown");
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(Name("unknown"))), default);
        Assert.That(result.Allowed, Is.True);
        Assert.That(_specs.Calls, Is.Zero);
    }

    [Test]
    public async Task JsonEqualButNotByteEqualContents_AreAllowed()
    {
        Grant();
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(NameAndContents("webapp1", WebApp1))), default);
        Assert.That(result.Allowed, Is.True);
    }

    [Test]
    public async Task E7_NotAuthorized_403()
    {
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(Name("webapp1"))), default);
        Assert.That((result.Allowed, result.Code, result.Message), Is.EqualTo((false, 403, "service account \"web-sa\" is not authorized to `use` GMSA cred spec \"webapp1\"")));
    }

    [Test]
    public async Task E7_NotAuthorized_WithReason()
    {
        _reviewer.DenyReason = "no RBAC policy matched";
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(containers: [Name("webapp1")])), default);
        Assert.That(result.Message, Is.EqualTo("service account \"web-sa\" is not authorized to `use` GMSA cred spec \"webapp1\", reason: \"no RBAC policy matched\""));
    }

    [Test]
    public async Task E7_InitContainerWithHandWrittenContents_IsAuthorised_ClosingTheUpstreamBypass()
    {
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(initContainers: [NameAndContents("webapp1", WebApp1Canonical)])), default);
        Assert.That(result.Code, Is.EqualTo(403));
    }

    [Test]
    public async Task E8_ContentsMismatch_422()
    {
        Grant();
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(containers: [NameAndContents("webapp1", """{"CmsPlugins":[]}""")])), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((422, "the GMSA cred spec contents for container \"c0\" does not match the contents of GMSA resource \"webapp1\"")));
    }

    [Test]
    public async Task E8_ContentsNotJson_422_WithParseError()
    {
        Grant();
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(initContainers: [NameAndContents("webapp1", "[1]")])), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((422,
            "the GMSA cred spec contents for initContainer \"i0\" does not match the contents of GMSA resource \"webapp1\": unable to parse \"[1]\" as a JSON object: json: cannot unmarshal array into Go value of type map[string]interface {}")));
    }

    [TestCase("pod", "web")]
    [TestCase("container", "c0")]
    [TestCase("initContainer", "i0")]
    [TestCase("ephemeralContainer", "e0")]
    public async Task E9_ContentsWithoutName_422(string kind, string resource)
    {
        var contents = Contents(WebApp1Canonical);
        var pod = kind switch
        {
            "pod" => PodJson(contents),
            "container" => PodJson(containers: [contents]),
            "initContainer" => PodJson(initContainers: [contents]),
            _ => PodJson(ephemeral: [contents]),
        };
        var result = await Validator().ValidateAsync(Pod("CREATE", pod), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((422, $"{kind} \"{resource}\" has a GMSA cred spec set, but does not define the name of the corresponding resource")));
    }

    [Test]
    public async Task E10_UnknownNameWithContents_ReviewFirstThen404()
    {
        var denied = await Validator().ValidateAsync(Pod("CREATE", PodJson(NameAndContents("ghost", "{}"))), default);
        Assert.That(denied.Code, Is.EqualTo(403));
        Grant("ghost");
        var missing = await Validator().ValidateAsync(Pod("CREATE", PodJson(NameAndContents("ghost", "{}"))), default);
        Assert.That((missing.Code, missing.Message), Is.EqualTo((404, "cred spec ghost does not exist")));
    }

    [Test]
    public async Task E11_E12_LookupErrors_KeepTheirCodes()
    {
        Grant("broken");
        Grant("nokey");
        _specs.Objects["broken"] = null;
        _specs.Objects["nokey"] = """{"metadata":{"name":"nokey"}}""";
        var broken = await Validator().ValidateAsync(Pod("CREATE", PodJson(NameAndContents("broken", "{}"))), default);
        var noKey = await Validator().ValidateAsync(Pod("CREATE", PodJson(NameAndContents("nokey", "{}"))), default);
        Assert.That((broken.Code, broken.Message), Is.EqualTo((500, "unable to retrieve the contents of cred spec broken: connection refused")));
        Assert.That((noKey.Code, noKey.Message), Is.EqualTo((417, "cred spec nokey does not have a credspec key")));
    }

    [Test]
    public async Task E1_E2_E3()
    {
        var notPod = await Validator().ValidateAsync(Of("ReplicaSet", "CREATE", "{}"), default);
        var badOld = await Validator().ValidateAsync(Of("Pod", "UPDATE", PodJson(), "null"), default);
        var delete = await Validator().ValidateAsync(Pod("DELETE", PodJson()), default);
        Assert.That((notPod.Code, notPod.Message), Is.EqualTo((400, "expected a Pod object, got a ReplicaSet")));
        Assert.That((badOld.Code, badOld.Message), Is.EqualTo((400, "unable to unmarshall pod JSON object: unexpected end of JSON input")));
        Assert.That((delete.Code, delete.Message), Is.EqualTo((400, "unpexpected operation DELETE")));
    }

    [TestCase("name")]
    [TestCase("contents")]
    [TestCase("name and contents")]
    public async Task E13_UpdateOfGmsaFields_403(string what)
    {
        var old = PodJson(containers: [NameAndContents("webapp1", WebApp1Canonical)]);
        var updated = what switch
        {
            "name" => PodJson(containers: [NameAndContents("other", WebApp1Canonical)]),
            "contents" => PodJson(containers: [NameAndContents("webapp1", WebApp1)]),
            _ => PodJson(containers: [NameAndContents("other", "{}")]),
        };
        var result = await Validator().ValidateAsync(Pod("UPDATE", updated, old), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((403, $"cannot update an existing pod's GMSA settings (GMSA {what} modified on container \"c0\")")));
        Assert.That(_reviewer.Calls, Is.Empty, "no SAR on UPDATE");
    }

    [Test]
    public async Task E13_RemovalOfWholeWindowsOptionsBlock_IsDetected()
    {
        var old = PodJson(NameAndContents("webapp1", WebApp1Canonical));
        var result = await Validator().ValidateAsync(Pod("UPDATE", PodJson(), old), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((403, "cannot update an existing pod's GMSA settings (GMSA name and contents modified on pod \"web\")")));
    }

    [Test]
    public async Task Update_OfImageOnly_IsAllowed()
    {
        var old = PodJson(NameAndContents("webapp1", WebApp1Canonical), containers: [NameAndContents("webapp1", WebApp1Canonical)], image: "iis:1");
        var updated = PodJson(NameAndContents("webapp1", WebApp1Canonical), containers: [NameAndContents("webapp1", WebApp1Canonical)], image: "iis:2");
        var result = await Validator().ValidateAsync(Pod("UPDATE", updated, old), default);
        Assert.That(result.Allowed, Is.True);
    }

    [Test]
    public async Task EphemeralContainerAdded_GetsCreateChecks()
    {
        var old = PodJson();
        var updated = PodJson(ephemeral: [NameAndContents("webapp1", WebApp1Canonical)]);
        var denied = await Validator().ValidateAsync(Pod("UPDATE", updated, old, "ephemeralcontainers"), default);
        Assert.That(denied.Code, Is.EqualTo(403));
        Grant();
        var allowed = await Validator().ValidateAsync(Pod("UPDATE", updated, old, "ephemeralcontainers"), default);
        Assert.That(allowed.Allowed, Is.True);
    }

    [Test]
    public async Task ForgedNames_AreRefused_BeforeAnyReviewOrLookup()
    {
        Grant(new string('a', 30_000));
        var longName = await Validator().ValidateAsync(Pod("CREATE", PodJson(NameAndContents(new string('a', 30_000), "{}"))), default);
        var badAccount = await Validator().ValidateAsync(Pod("CREATE", PodJson(Name("webapp1"), serviceAccount: new string('s', 254))), default);
        var badNamespace = Pod("CREATE", PodJson(Name("webapp1")));
        badNamespace.Namespace = new string('n', 64);
        var badNs = await Validator().ValidateAsync(badNamespace, default);
        Assert.That((longName.Code, longName.Message), Is.EqualTo((422, "pod \"web\" has an invalid GMSA cred spec name: Too long: may not be more than 253 bytes")));
        Assert.That((badAccount.Code, badAccount.Message), Is.EqualTo((422, "pod \"web\" is invalid: spec.serviceAccountName: Too long: may not be more than 253 bytes")));
        Assert.That((badNs.Code, badNs.Message), Is.EqualTo((400, "namespace: Too long: may not be more than 63 bytes")));
        Assert.That((_reviewer.Calls.Count, _specs.Calls), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task ContentsNestedDeeperThanTheLimit_422_NamingTheLimit()
    {
        Grant();
        var deep = "{\"a\":" + new string('[', 200_000) + new string(']', 200_000) + "}";
        var result = await Validator().ValidateAsync(Pod("CREATE", PodJson(containers: [NameAndContents("webapp1", deep)])), default);
        Assert.That((result.Code, result.Message), Is.EqualTo((422, "the GMSA cred spec contents for container \"c0\" are nested deeper than the limit of 64 levels")));
    }
}
