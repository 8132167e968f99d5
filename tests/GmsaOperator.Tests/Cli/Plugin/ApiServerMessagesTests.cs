using GmsaOperator.Operator.Cli.Bindings;

namespace GmsaOperator.Tests.Cli.Plugin;

public sealed class ApiServerMessagesTests
{
    [Test]
    public void Refusal_OfAStatus_IsItsMessageVerbatim_InKubectlsWords()
    {
        const string body = """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"admission webhook \"gmsabinding.gmsa.dev\" denied the request: user \"alice\" may not create GmsaBinding \"web\": granting GMSA cred spec \"w\" requires the user to be authorized to `use` it","reason":"Forbidden","code":403}""";
        Assert.That(ApiServerMessages.Refusal(403, body), Is.EqualTo(
            "Error from server (Forbidden): admission webhook \"gmsabinding.gmsa.dev\" denied the request: user \"alice\" may not create GmsaBinding \"web\": granting GMSA cred spec \"w\" requires the user to be authorized to `use` it"));
    }

    [Test]
    public void Refusal_WithoutReason_OrNotAStatus_IsStillShown_Bounded()
    {
        Assert.That(ApiServerMessages.Refusal(422, """{"message":"spec.serviceAccounts: Too many"}"""), Is.EqualTo("Error from server: spec.serviceAccounts: Too many"));
        Assert.That(ApiServerMessages.Refusal(502, "<html>bad gateway</html>"), Is.EqualTo("error: the server answered HTTP 502: <html>bad gateway</html>"));
        Assert.That(ApiServerMessages.Refusal(500, new string('x', 5000)), Has.Length.LessThan(1100));
    }

    [Test]
    public void Warnings_AreTheQuotedTexts_Unescaped() =>
        Assert.That(ApiServerMessages.Warnings(["299 - \"service account \\\"not-yet\\\" does not exist\"", "299 - \"b, with a comma\" \"Tue, 01 Dec 2026 10:00:00 GMT\"", "garbage"]),
            Is.EqualTo(new[] { "service account \"not-yet\" does not exist", "b, with a comma" }));
}
