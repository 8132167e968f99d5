using System.Text.Json;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Tests.Webhooks;

public sealed class CanonicalJsonTests
{
    private static string Canonical(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CanonicalJson.Serialize(document.RootElement);
    }

    [Test]
    public void ReferenceExample_IsByteExact()
    {
        const string stored = """
            {
              "DomainJoinConfig": { "Sid": "S-1-5-21-1000-2000-3000", "NetBiosName": "EXAMPLE", "MachineAccountName": "WebApp1",
                "Guid": "11111111-2222-4333-8444-555555555555", "DnsTreeName": "example.org", "DnsName": "example.org" },
              "CmsPlugins": ["ActiveDirectory"],
              "ActiveDirectoryConfig": {
                "HostAccountConfig": { "PortableCcgVersion": "1", "PluginInput": "example.org:ccg:<secret>&x", "PluginGUID": "{00000000-0000-0000-0000-000000000000}" },
                "GroupManagedServiceAccounts": [ { "Scope": "EXAMPLE", "Name": "WebApp1" }, { "Scope": "example.org", "Name": "WebApp1" } ]
              }
            }
            """;
        Assert.That(Canonical(stored), Is.EqualTo(
            """{"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp1","Scope":"EXAMPLE"},{"Name":"WebApp1","Scope":"example.org"}],"HostAccountConfig":{"PluginGUID":"{00000000-0000-0000-0000-000000000000}","PluginInput":"example.org:ccg:\u003csecret\u003e\u0026x","PortableCcgVersion":"1"}},"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"DnsName":"example.org","DnsTreeName":"example.org","Guid":"11111111-2222-4333-8444-555555555555","MachineAccountName":"WebApp1","NetBiosName":"EXAMPLE","Sid":"S-1-5-21-1000-2000-3000"}}"""));
    }

    [Test]
    public void Nested_UnsortedKeys_AreSortedOrdinallyAtEveryLevel_ArraysKeepOrder()
    {
        Assert.That(Canonical("""{ "b": { "z": 1, "A": [ {"y":"1","x":"2"}, "c", "a" ] }, "a": {}, "B": [] }"""),
            Is.EqualTo("""{"B":[],"a":{},"b":{"A":[{"x":"2","y":"1"},"c","a"],"z":1}}"""));
        // Uppercase before lowercase, as Go's byte order.
        Assert.That(Canonical("""{"PortableCcgVersion":"1","PluginInput":"2","PluginGUID":"3"}"""),
            Is.EqualTo("""{"PluginGUID":"3","PluginInput":"2","PortableCcgVersion":"1"}"""));
    }

    [Test]
    public void HtmlCharacters_AreEscapedLowercase_SlashIsNot()
    {
        Assert.That(Canonical("""{"k":"<a href=\"x/y\">&amp;</a>"}"""),
            Is.EqualTo("""{"k":"\u003ca href=\"x/y\"\u003e\u0026amp;\u003c/a\u003e"}"""));
    }

    [Test]
    public void NonAscii_IsRaw_LineSeparatorsAndControlsEscaped()
    {
        Assert.That(Canonical("""{"k":"Grüße 日本 😀 \u2028\u2029 \u0001 \n\r\t\b\f \\ \u007f"}"""),
            Is.EqualTo("{\"k\":\"Grüße 日本 😀 \\u2028\\u2029 \\u0001 \\n\\r\\t\\b\\f \\\\ \u007f\"}"));
    }

    [Test]
    public void EmptyObject_AndEmptyArray()
    {
        Assert.That(Canonical("{}"), Is.EqualTo("{}"));
        Assert.That(Canonical("""{ "a" : [ ] , "b" : { } }"""), Is.EqualTo("""{"a":[],"b":{}}"""));
    }

    [Test]
    public void DuplicateKeys_LastWins()
    {
        Assert.That(Canonical("""{"a":"1","a":"2"}"""), Is.EqualTo("""{"a":"2"}"""));
    }

    [Test]
    public void SupplementaryCharacters_SortAfterPrivateUse_LikeUtf8ByteOrder()
    {
        // UTF-16 ordinal would put U+1F600 (surrogates D83D…) before U+E000; UTF-8 byte order puts it after.
        Assert.That(Canonical("{\"\U0001F600\":\"1\",\"\uE000\":\"2\"}"), Is.EqualTo("{\"\uE000\":\"2\",\"\U0001F600\":\"1\"}"));
    }

    [Test]
    public void LoneSurrogate_BecomesReplacementEscape()
    {
        Assert.That(Canonical("""{"k":"a\ud800b"}"""), Is.EqualTo("{\"k\":\"a\\ufffdb\"}").Or.EqualTo("{\"k\":\"a\uFFFDb\"}"));
    }

    [TestCase("1", "1")]
    [TestCase("-2.5", "-2.5")]
    [TestCase("1e21", "1e+21")]
    [TestCase("123456789012345678", "123456789012345680")]
    [TestCase("0.000001", "0.000001")]
    [TestCase("0.0000001", "1e-7")]
    [TestCase("true", "true")]
    [TestCase("null", "null")]
    public void Scalars_LikeGo(string json, string expected)
    {
        Assert.That(Canonical(json), Is.EqualTo(expected));
    }
}
