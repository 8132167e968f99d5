using System.Text.Json;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Tests.Webhooks;

public sealed class BindingAndCredSpecValidatorTests
{
    private sealed class FakeServiceAccounts : IServiceAccountDirectory
    {
        public HashSet<string> Existing { get; } = ["web-sa"];

        public ValueTask<bool?> ExistsAsync(string @namespace, string name, CancellationToken cancellationToken) => ValueTask.FromResult<bool?>(Existing.Contains(name));
    }

    private static AdmissionRequest Binding(string operation, string credSpec, string[] serviceAccounts, string? oldCredSpec = null, string[]? oldServiceAccounts = null)
    {
        static string Json(string cs, string[] sas) =>
            $$$"""{"apiVersion":"gmsa.dev/v1alpha1","kind":"GmsaBinding","metadata":{"name":"web","namespace":"ns1"},"spec":{"credentialSpecName":"{{{cs}}}","serviceAccounts":{{{JsonSerializer.Serialize(sas)}}}}}""";
        var request = Requests.Of("GmsaBinding", operation, Json(credSpec, serviceAccounts), oldCredSpec is null ? null : Json(oldCredSpec, oldServiceAccounts ?? serviceAccounts));
        request.UserInfo = new AdmissionUserInfo { Username = "alice", Uid = "u-1", Groups = ["dev", "system:authenticated"], Extra = new() { ["scopes"] = ["a"] } };
        return request;
    }

    [Test]
    public async Task Binding_UserWithoutUse_IsDenied_WithWhoLacksWhat()
    {
        var reviewer = new FakeReviewer { DenyReason = "no RBAC policy matched" };
        var validator = new GmsaBindingValidator(reviewer, new FakeServiceAccounts(), new FakeCredentialSpecs().With("webapp1", Requests.WebApp1));
        var result = await validator.ValidateAsync(Binding("CREATE", "webapp1", ["web-sa"]), default);
        Assert.That((result.Allowed, result.Code), Is.EqualTo((false, 403)));
        Assert.That(result.Message, Is.EqualTo("user \"alice\" may not create GmsaBinding \"web\" in namespace \"ns1\": granting GMSA cred spec \"webapp1\" requires the user to be authorized to `use` it (verb use on gmsacredentialspecs.windows.k8s.io \"webapp1\" in namespace \"ns1\"), reason: \"no RBAC policy matched\""));
        var (subject, ns, name) = reviewer.Calls.Single();
        Assert.That((subject.User, subject.Uid, ns, name), Is.EqualTo(("alice", "u-1", "ns1", "webapp1")));
        Assert.That(subject.Groups, Is.EqualTo(new[] { "dev", "system:authenticated" }));
        Assert.That(subject.Extra!["scopes"], Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task Binding_UserWithUse_IsAllowed_MissingServiceAccountsAndCredSpecAreWarnings()
    {
        var reviewer = new FakeReviewer();
        reviewer.Allowed.Add(("alice", "ghost"));
        var validator = new GmsaBindingValidator(reviewer, new FakeServiceAccounts(), new FakeCredentialSpecs());
        var result = await validator.ValidateAsync(Binding("CREATE", "ghost", ["web-sa", "later-sa"]), default);
        Assert.That(result.Allowed, Is.True);
        Assert.That(result.Warnings, Is.EqualTo(new[]
        {
            "GMSA cred spec \"ghost\" does not exist (yet); pods cannot use this binding until it is created",
            "service account \"later-sa\" does not exist in namespace \"ns1\" (yet); the grant applies once it is created",
        }));
    }

    [Test]
    public async Task Binding_UpdateThatGrantsNothingNew_NeedsNoReview_ButNewCredSpecOrNewAccountDoes()
    {
        var reviewer = new FakeReviewer();
        var validator = new GmsaBindingValidator(reviewer, new FakeServiceAccounts(), new FakeCredentialSpecs());
        var same = await validator.ValidateAsync(Binding("UPDATE", "webapp1", ["web-sa"], "webapp1", ["web-sa", "old-sa"]), default);
        Assert.That(same.Allowed, Is.True);
        Assert.That(reviewer.Calls, Is.Empty);

        var moreAccounts = await validator.ValidateAsync(Binding("UPDATE", "webapp1", ["web-sa", "new-sa"], "webapp1", ["web-sa"]), default);
        var otherSpec = await validator.ValidateAsync(Binding("UPDATE", "other", ["web-sa"], "webapp1"), default);
        Assert.That((moreAccounts.Code, otherSpec.Code), Is.EqualTo((403, 403)));
    }

    [Test]
    public async Task Binding_WithoutCredSpecName_422_WrongKind_400()
    {
        var validator = new GmsaBindingValidator(new FakeReviewer(), new FakeServiceAccounts(), new FakeCredentialSpecs());
        var noName = await validator.ValidateAsync(Binding("CREATE", "", ["web-sa"]), default);
        var wrongKind = await validator.ValidateAsync(Requests.Of("Pod", "CREATE", "{}"), default);
        Assert.That((noName.Code, noName.Message), Is.EqualTo((422, "GmsaBinding \"web\" is invalid: spec.credentialSpecName is required")));
        Assert.That((wrongKind.Code, wrongKind.Message), Is.EqualTo((400, "expected a GmsaBinding object, got a Pod")));
    }

    [Test]
    public async Task Binding_CredSpecNameThatCannotBeAnObjectName_422_WithoutApiCalls()
    {
        var reviewer = new FakeReviewer();
        reviewer.Allowed.Add(("alice", new string('a', 300_000)));
        var validator = new GmsaBindingValidator(reviewer, new FakeServiceAccounts(), new FakeCredentialSpecs());
        var huge = await validator.ValidateAsync(Binding("CREATE", new string('a', 300_000), ["web-sa"]), default);
        var upper = await validator.ValidateAsync(Binding("CREATE", "WebApp1", ["web-sa"]), default);
        var longest = await validator.ValidateAsync(Binding("CREATE", new string('a', 253), ["web-sa"]), default);
        Assert.That((huge.Code, huge.Message), Is.EqualTo((422, "GmsaBinding \"web\" is invalid: spec.credentialSpecName: Too long: may not be more than 253 bytes")));
        Assert.That((upper.Code, upper.Message), Is.EqualTo((422, "GmsaBinding \"web\" is invalid: spec.credentialSpecName: Invalid value: \"WebApp1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")));
        Assert.That(longest.Code, Is.EqualTo(403), "253 characters is still a name: it goes to the access review");
        Assert.That(reviewer.Calls.Select(c => c.Name.Length), Is.EqualTo(new[] { 253 }), "no access review for names that cannot exist");
    }

    [Test]
    public async Task Binding_ServiceAccountsBeyondTheCrdLimits_422_NamingTheLimit_WithoutLookups()
    {
        var reviewer = new FakeReviewer();
        reviewer.Allowed.Add(("alice", "webapp1"));
        var accounts = new CountingServiceAccounts();
        var validator = new GmsaBindingValidator(reviewer, accounts, new FakeCredentialSpecs());
        var many = await validator.ValidateAsync(Binding("CREATE", "webapp1", [.. Enumerable.Range(0, 10_000).Select(i => $"sa-{i}")]), default);
        var longName = await validator.ValidateAsync(Binding("CREATE", "webapp1", ["web-sa", new string('s', 300)]), default);
        var badName = await validator.ValidateAsync(Binding("CREATE", "webapp1", ["Web_SA"]), default);
        var atLimit = await validator.ValidateAsync(Binding("CREATE", "webapp1", [.. Enumerable.Range(0, 256).Select(i => $"sa-{i}")]), default);
        Assert.That((GmsaBindingValidator.MaxServiceAccounts, GmsaBindingValidator.MaxServiceAccountNameLength), Is.EqualTo((256, 253)), "read from the CRD's attributes");
        Assert.That((many.Code, many.Message), Is.EqualTo((422, "GmsaBinding \"web\" is invalid: spec.serviceAccounts: Too many: 10000: must have at most 256 items")));
        Assert.That((longName.Code, longName.Message), Is.EqualTo((422, "GmsaBinding \"web\" is invalid: spec.serviceAccounts[1]: Too long: may not be more than 253 bytes")));
        Assert.That(badName.Message, Does.StartWith("GmsaBinding \"web\" is invalid: spec.serviceAccounts[0]: Invalid value: \"Web_SA\""));
        Assert.That(atLimit.Allowed, Is.True);
        Assert.That((reviewer.Calls.Count, accounts.Calls), Is.EqualTo((1, 256)), "only the binding within the limits was reviewed and looked up");
    }

    [Test]
    public async Task Binding_InANamespaceNoNamespaceCanHave_400_WithoutReview()
    {
        var reviewer = new FakeReviewer();
        var request = Binding("CREATE", "webapp1", ["web-sa"]);
        request.Namespace = "ns1\u0000" + new string('x', 60_000);
        var result = await new GmsaBindingValidator(reviewer, new FakeServiceAccounts(), new FakeCredentialSpecs()).ValidateAsync(request, default);
        Assert.That((result.Code, result.Message), Is.EqualTo((400, "namespace: Too long: may not be more than 63 bytes")));
        Assert.That(reviewer.Calls, Is.Empty);
    }

    private sealed class CountingServiceAccounts : IServiceAccountDirectory
    {
        public int Calls;

        public ValueTask<bool?> ExistsAsync(string @namespace, string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return ValueTask.FromResult<bool?>(true);
        }
    }

    [TestCase("object", "webapp1", true)]
    [TestCase("object", "web-app.contoso-1", true)]
    [TestCase("object", "", false)]
    [TestCase("object", "-web", false)]
    [TestCase("object", "web.", false)]
    [TestCase("object", "web_app", false)]
    [TestCase("object", "webapp1\n", false)]
    [TestCase("namespace", "ns1", true)]
    [TestCase("namespace", "a.b", false)]
    [TestCase("namespace", "ns1\n", false)]
    [TestCase("namespace", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [TestCase("namespace", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void Names(string rule, string name, bool valid) =>
        Assert.That((rule == "namespace" ? AdmissionNames.InvalidNamespace(name) : AdmissionNames.InvalidSubdomain(name)) is null, Is.EqualTo(valid));

    private static AdmissionResult CredSpec(string credspecJson) =>
        CredentialSpecValidator.Validate(Requests.Of("GMSACredentialSpec", "CREATE", """{"metadata":{"name":"cs"}""" + (credspecJson.Length == 0 ? "" : ",\"credspec\":" + credspecJson) + "}"));

    [Test]
    public void CredSpec_Valid_NoWarnings()
    {
        var result = CredSpec(Requests.WebApp1);
        Assert.That((result.Allowed, result.Warnings.Count), Is.EqualTo((true, 0)));
    }

    [TestCase("", "credspec is required (an object with DomainJoinConfig and ActiveDirectoryConfig.GroupManagedServiceAccounts)")]
    [TestCase("""{"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"a","Scope":"b"}]}}""", "credspec.DomainJoinConfig is required")]
    [TestCase("""{"DomainJoinConfig":{},"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[]}}""", "credspec.ActiveDirectoryConfig.GroupManagedServiceAccounts must list at least one account")]
    [TestCase("""{"DomainJoinConfig":{}}""", "credspec.ActiveDirectoryConfig.GroupManagedServiceAccounts must list at least one account")]
    public void CredSpec_ThatCanNeverWork_422_NamingTheField(string credspec, string problem)
    {
        var result = CredSpec(credspec);
        Assert.That((result.Code, result.Message), Is.EqualTo((422, $"GMSACredentialSpec \"cs\" is invalid: {problem}")));
    }

    [Test]
    public void CredSpec_SuspiciousValues_AreWarnings()
    {
        var result = CredSpec("""{"CmsPlugins":["Other"],"DomainJoinConfig":{"Guid":"not-a-guid","Sid":"S-1-x"},"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"a","Scope":"b"}],"HostAccountConfig":{"PluginGUID":"{CCC2A336-D7F3-4818-A213-272B7924213E}"}}}""");
        Assert.That(result.Allowed, Is.True);
        Assert.That(result.Warnings, Is.EqualTo(new[]
        {
            "credspec.DomainJoinConfig.Guid \"not-a-guid\" is not a GUID",
            "credspec.DomainJoinConfig.Sid \"S-1-x\" is not a SID (S-1-…)",
            "credspec.CmsPlugins does not contain \"ActiveDirectory\"",
            "credspec.ActiveDirectoryConfig.HostAccountConfig is incomplete: missing PluginInput, PortableCcgVersion",
        }));
    }
}
