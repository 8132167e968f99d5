using GmsaOperator.Operator.Reconcilers;

namespace GmsaOperator.Tests.Reconcilers;

public class ReadyEventPolicyTests
{
    [Test]
    public void NewBindingBecomingReady_NoEvent() =>
        Assert.That(ReadyEventPolicy.ShouldRecord(null, null, "True", "Bound"), Is.False);

    [TestCase(null, null, "False", "CredentialSpecNotFound")]
    [TestCase("True", "Bound", "False", "Conflict")]
    [TestCase("False", "CredentialSpecNotFound", "True", "Bound")]
    [TestCase("False", "ApiError", "False", "Conflict")]
    public void NotReadyAndRecoveries_Recorded(string? beforeStatus, string? beforeReason, string status, string reason) =>
        Assert.That(ReadyEventPolicy.ShouldRecord(beforeStatus, beforeReason, status, reason), Is.True);

    [Test]
    public void Unchanged_NoEvent() =>
        Assert.That(ReadyEventPolicy.ShouldRecord("True", "Bound", "True", "Bound"), Is.False);
}
