using System.Text;
using System.Text.Json;
using GmsaOperator.Operator.Cli.CredentialSpecs;
using GmsaOperator.Webhooks.Json;
using YamlDotNet.Serialization;

namespace GmsaOperator.Tests.Cli;

public sealed class CredentialSpecConverterTests
{
    /// <summary>The documentation's credential spec, laid out as New-CredentialSpec (ConvertTo-Json) writes it.</summary>
    private const string DocumentationCredSpec = CredentialSpecSamples.Documentation;

    private static readonly string InputCanonical = Canonical(DocumentationCredSpec);

    public static IEnumerable<TestCaseData> Encodings()
    {
        yield return new TestCaseData(new UTF8Encoding(true)).SetName("Convert_RoundTrips_Utf8WithBom");
        yield return new TestCaseData(new UTF8Encoding(false)).SetName("Convert_RoundTrips_Utf8WithoutBom");
        yield return new TestCaseData(new UnicodeEncoding(bigEndian: false, byteOrderMark: true)).SetName("Convert_RoundTrips_Utf16LeWithBom");
        yield return new TestCaseData(new UnicodeEncoding(bigEndian: true, byteOrderMark: true)).SetName("Convert_RoundTrips_Utf16BeWithBom");
    }

    [TestCaseSource(nameof(Encodings))]
    public void Convert_RoundTripsTheDocumentationCredSpec(Encoding encoding)
    {
        var bytes = Encode(DocumentationCredSpec, encoding);
        var result = CredentialSpecConverter.Convert(bytes, "CredSpec.json");

        Assert.That(result.Name, Is.EqualTo("gmsa-webapp1"));
        Assert.That(result.Warnings, Is.Empty);
        var resource = YamlToJson(result.Yaml);
        Assert.That(resource.GetProperty("apiVersion").GetString(), Is.EqualTo("windows.k8s.io/v1"));
        Assert.That(resource.GetProperty("kind").GetString(), Is.EqualTo("GMSACredentialSpec"));
        Assert.That(resource.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("gmsa-webapp1"));
        Assert.That(CanonicalJson.Serialize(resource.GetProperty("credspec")), Is.EqualTo(InputCanonical));
    }

    [Test]
    public void Convert_QuotesStringsYamlWouldReadAsOtherTypes()
    {
        var json = DocumentationCredSpec.Replace("\"244818ae-87ac-4fcd-92ec-e79e5252348a\"", "\"12345678-1234-1234-1234-123456789012\"").Replace("\"CONTOSO\"", "\"yes\"");
        var result = CredentialSpecConverter.Convert(Encoding.UTF8.GetBytes(json), "x.json");
        Assert.That(CanonicalJson.Serialize(YamlToJson(result.Yaml).GetProperty("credspec")), Is.EqualTo(Canonical(json)));
    }

    [Test]
    public void Convert_UsesAValidGivenName()
    {
        var result = CredentialSpecConverter.Convert(Encoding.UTF8.GetBytes(DocumentationCredSpec), "x.json", name: "webapp1.prod");
        Assert.That(YamlToJson(result.Yaml).GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("webapp1.prod"));
    }

    [TestCase("gmsa-WebApp1", "gmsa-webapp1")]
    [TestCase("gmsa_web app", "gmsa-web-app")]
    [TestCase("-Web-", "web")]
    public void Convert_RejectsAnInvalidName_SuggestingTheFix(string name, string suggestion)
    {
        var e = Assert.Throws<CredentialSpecInputException>(() => CredentialSpecConverter.Convert(Encoding.UTF8.GetBytes(DocumentationCredSpec), "x.json", name: name));
        Assert.That(e!.Message, Does.Contain($"--name '{name}' is not a valid object name").And.EndWith($"use '{suggestion}'."));
    }

    [Test]
    public void Convert_DerivesAValidDefaultNameFromAnOddMachineAccountName()
    {
        var json = DocumentationCredSpec.Replace("\"MachineAccountName\":  \"WebApp1\"", "\"MachineAccountName\":  \"Web_App$\"");
        Assert.That(CredentialSpecConverter.Convert(Encoding.UTF8.GetBytes(json), "x.json").Name, Is.EqualTo("gmsa-web-app"));
    }

    [Test]
    public void Convert_WarnsAboutFieldsTheSchemaWouldPrune_AndLeavesThemOut()
    {
        var json = DocumentationCredSpec.Replace("\"NetBiosName\":  \"CONTOSO\"", "\"NetBiosName\":  \"CONTOSO\", \"Forest\": \"contoso.com\"")
            .Replace("\"Scope\":  \"CONTOSO\"", "\"Scope\":  \"CONTOSO\", \"Comment\": \"x\"");
        var result = CredentialSpecConverter.Convert(Encoding.UTF8.GetBytes(json), "x.json");
        Assert.That(result.Warnings, Is.EquivalentTo(new[]
        {
            "credspec.DomainJoinConfig.Forest is not in the GMSACredentialSpec schema and was left out (the API server would drop it)",
            "credspec.ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Comment is not in the GMSACredentialSpec schema and was left out (the API server would drop it)",
        }));
        Assert.That(result.Yaml, Does.Not.Contain("Forest").And.Not.Contain("Comment"));
        Assert.That(CanonicalJson.Serialize(YamlToJson(result.Yaml).GetProperty("credspec")), Is.EqualTo(InputCanonical), "the rest is kept exactly");
    }

    [Test]
    public void Convert_PassesOnTheAdmissionChecksWarnings()
    {
        var json = DocumentationCredSpec.Replace("\"ActiveDirectory\"", "\"Other\"");
        var result = CredentialSpecConverter.Convert(Encoding.UTF8.GetBytes(json), "x.json");
        Assert.That(result.Warnings, Is.EqualTo(new[] { "credspec.CmsPlugins does not contain \"ActiveDirectory\"" }));
    }

    [Test]
    public void Convert_WithBinding_EmitsAGmsaBindingForTheCredSpec()
    {
        var result = CredentialSpecConverter.Convert(Encoding.UTF8.GetBytes(DocumentationCredSpec), "x.json", binding: BindingRequest.Parse("web:webapp1, api"));
        var documents = result.Yaml.Split("---\n");
        Assert.That(documents, Has.Length.EqualTo(2));
        var binding = YamlToJson(documents[1]);
        Assert.That(binding.GetProperty("kind").GetString(), Is.EqualTo("GmsaBinding"));
        Assert.That(binding.GetProperty("metadata").GetProperty("namespace").GetString(), Is.EqualTo("web"));
        Assert.That(binding.GetProperty("spec").GetProperty("credentialSpecName").GetString(), Is.EqualTo("gmsa-webapp1"));
        Assert.That(binding.GetProperty("spec").GetProperty("serviceAccounts").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "webapp1", "api" }));
    }

    [TestCase("web", "must be NAMESPACE:SERVICEACCOUNT")]
    [TestCase("Web:sa", "namespace 'Web' is not a valid namespace name; did you mean 'web'?")]
    [TestCase("web:SA", "service account 'SA' is not a valid name; did you mean 'sa'?")]
    [TestCase("web:,", "names no service account")]
    public void BindingRequest_RejectsBadValues(string text, string message) =>
        Assert.That(Assert.Throws<CredentialSpecInputException>(() => BindingRequest.Parse(text))!.Message, Does.Contain(message));

    // Every bad-input path through the real command: one sentence on stderr, nothing on stdout, exit code 2.
    public static IEnumerable<TestCaseData> BadInputs()
    {
        yield return new TestCaseData(Encoding.UTF8.GetBytes("{\"DomainJoinConfig\": {"), Array.Empty<string>(), "is not valid JSON (line 1, byte 23)").SetName("Command_NotJson_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("[1, 2]"), Array.Empty<string>(), "must contain a JSON object (the credential spec), not an array.").SetName("Command_NotAnObject_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("\"text\""), Array.Empty<string>(), "must contain a JSON object (the credential spec), not a string.").SetName("Command_AString_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("{\"CmsPlugins\": [\"ActiveDirectory\"]}"), Array.Empty<string>(), "is not a usable credential spec: DomainJoinConfig is required.").SetName("Command_MissingDomainJoinConfig_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("""{"DomainJoinConfig": {"MachineAccountName": "a"}, "ActiveDirectoryConfig": {"GroupManagedServiceAccounts": []}}"""), Array.Empty<string>(),
            "is not a usable credential spec: ActiveDirectoryConfig.GroupManagedServiceAccounts must list at least one account.").SetName("Command_NoAccounts_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("""{"DomainJoinConfig": {"Sid": "a", "Sid": "b"}}"""), Array.Empty<string>(), "is not valid JSON: Duplicate property 'Sid'").SetName("Command_DuplicateKey_Exit2");
        yield return new TestCaseData(new byte[] { 0x7B, 0xC3, 0x28, 0x7D }, Array.Empty<string>(), "is not text in UTF-8 or UTF-16 with a byte-order mark").SetName("Command_InvalidUtf8_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes(DocumentationCredSpec), new[] { "--name", "gmsa-WebApp1" }, "use 'gmsa-webapp1'.").SetName("Command_InvalidName_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes(DocumentationCredSpec), new[] { "--with-binding", "nocolon" }, "must be NAMESPACE:SERVICEACCOUNT").SetName("Command_BadBinding_Exit2");
        yield return new TestCaseData(Encoding.UTF8.GetBytes(DocumentationCredSpec.Replace("\"MachineAccountName\":  \"WebApp1\",", "")), Array.Empty<string>(), "has no DomainJoinConfig.MachineAccountName to derive a name from; pass --name.").SetName("Command_NoMachineAccountName_Exit2");
    }

    [TestCaseSource(nameof(BadInputs))]
    public async Task Command_RejectsBadInput(byte[] content, string[] extra, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), $"credspec-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(file, content);
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(["credspec", "convert", file, .. extra]);
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.StartWith("error: ").And.Contain(message));
            Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one sentence, one line");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Command_UnreadableFile_Exit2()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("credspec", "convert", "/nonexistent/CredSpec.json");
        Assert.That((exit, stdout, stderr), Is.EqualTo((2, "", "error: cannot read /nonexistent/CredSpec.json: no such file.\n")));
    }

    [Test]
    public async Task Command_WritesTheYamlToTheOutputFile()
    {
        var input = Path.Combine(Path.GetTempPath(), $"credspec-{Guid.NewGuid():N}.json");
        var output = Path.ChangeExtension(input, ".yaml");
        await File.WriteAllBytesAsync(input, Encode(DocumentationCredSpec, new UnicodeEncoding(false, true)));
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync("credspec", "convert", input, "-o", output);
            Assert.That((exit, stdout), Is.EqualTo((0, "")));
            Assert.That(stderr, Is.EqualTo($"wrote GMSACredentialSpec gmsa-webapp1 to {output}\n"));
            Assert.That(CanonicalJson.Serialize(YamlToJson(await File.ReadAllTextAsync(output)).GetProperty("credspec")), Is.EqualTo(InputCanonical));
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    [Test]
    public async Task Command_HasHelp()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("credspec", "convert", "--help");
        Assert.That(exit, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("--with-binding").And.Contain("--name").And.Contain("<file>"));
    }

    private static byte[] Encode(string text, Encoding encoding) => [.. encoding.GetPreamble(), .. encoding.GetBytes(text)];

    private static string Canonical(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CanonicalJson.Serialize(document.RootElement);
    }

    /// <summary>Reads YAML back the way the API server does (YAML → JSON), independent of our writer.</summary>
    internal static JsonElement YamlToJson(string yaml)
    {
        var graph = new DeserializerBuilder().Build().Deserialize(new StringReader(yaml));
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(graph);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
