using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Tests.Webhooks;

public sealed class GoTextTests
{
    [TestCase("web-sa", "\"web-sa\"")]
    [TestCase("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [TestCase("line\nnext\ttab", "\"line\\nnext\\ttab\"")]
    [TestCase("\u0001\u007f", "\"\\x01\\x7f\"")]
    [TestCase("Grüße", "\"Grüße\"")]
    [TestCase("\u00a0\u200b", "\"\\u00a0\\u200b\"")]
    public void Quote_LikeGoPercentQ(string value, string expected)
    {
        Assert.That(GoQuote.Quote(value), Is.EqualTo(expected));
    }

    [Test]
    public void CredentialSpecs_ByteIdentical_AreEqualWithoutParsing()
    {
        Assert.That(GoJsonEquality.CredentialSpecsEqual("not json", "not json", out var error), Is.True);
        Assert.That(error, Is.Null);
    }

    [Test]
    public void CredentialSpecs_KeyOrderAndWhitespaceIgnored_ArrayOrderMatters()
    {
        Assert.That(GoJsonEquality.CredentialSpecsEqual("""{ "b": [1, 2], "a": {"x": "y"} }""", """{"a":{"x":"y"},"b":[1,2]}""", out _), Is.True);
        Assert.That(GoJsonEquality.CredentialSpecsEqual("""{"b":[2,1]}""", """{"b":[1,2]}""", out var error), Is.False);
        Assert.That(error, Is.Null);
        Assert.That(GoJsonEquality.CredentialSpecsEqual("""{"n":1.0}""", """{"n":1}""", out _), Is.True, "numbers compare as float64");
        Assert.That(GoJsonEquality.CredentialSpecsEqual("""{"a":"1","a":"2"}""", """{"a":"2"}""", out _), Is.True, "duplicate keys: last wins");
        Assert.That(GoJsonEquality.CredentialSpecsEqual("""{"a":"X"}""", """{"a":"x"}""", out _), Is.False, "case-sensitive");
    }

    [Test]
    public void CredentialSpecs_ParseErrors_QuoteTheContents()
    {
        Assert.That(GoJsonEquality.CredentialSpecsEqual("""["a"]""", """{"a":1}""", out var error), Is.False);
        Assert.That(error, Is.EqualTo("unable to parse \"[\\\"a\\\"]\" as a JSON object: json: cannot unmarshal array into Go value of type map[string]interface {}"));
        Assert.That(GoJsonEquality.CredentialSpecsEqual("""{"a":1}""", "oops", out error), Is.False);
        Assert.That(error, Does.StartWith("unable to parse CRD \"oops\" as a JSON object: "));
    }

    private static string Nested(int depth) => new string('[', depth - 1).Insert(0, "{\"a\":") + new string(']', depth - 1) + "}";

    [Test]
    public void CredentialSpecs_NestedDeeperThanTheLimit_AreTooDeep_WithoutRecursingIntoThem()
    {
        Assert.That(GoJsonEquality.Compare(Nested(GoJsonEquality.MaxDepth), Nested(GoJsonEquality.MaxDepth) + " ", out _), Is.EqualTo(GoJsonEquality.Outcome.Equal), "64 levels are compared");
        Assert.That(GoJsonEquality.Compare(Nested(GoJsonEquality.MaxDepth + 1), "{}", out _), Is.EqualTo(GoJsonEquality.Outcome.TooDeep));
        Assert.That(GoJsonEquality.Compare(Nested(1_000_000), "{}", out _), Is.EqualTo(GoJsonEquality.Outcome.TooDeep), "a million levels: no stack overflow");
        Assert.That(GoJsonEquality.Compare("{}", Nested(GoJsonEquality.MaxDepth + 1), out _), Is.EqualTo(GoJsonEquality.Outcome.TooDeep), "the resource side too");
        Assert.That(GoJsonEquality.CredentialSpecsEqual(Nested(100), "{}", out var error), Is.False);
        Assert.That(error, Is.EqualTo("nested deeper than the limit of 64 levels"));
    }
}
