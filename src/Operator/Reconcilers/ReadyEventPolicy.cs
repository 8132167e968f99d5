using GmsaOperator.Runtime.Conditions;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>
/// Which Ready transitions of a GmsaBinding deserve an event. The status condition is the record; an event adds a line
/// to <c>kubectl describe</c> for transitions someone looks for: every change to not-Ready (a Warning) and a recovery
/// back to Ready. A new binding becoming Ready for the first time is the expected outcome of every create — an event
/// for it would be one more API write per binding that nobody reads (the condition already says it).
/// </summary>
internal static class ReadyEventPolicy
{
    public static bool ShouldRecord(string? beforeStatus, string? beforeReason, string status, string reason) =>
        (beforeStatus != status || beforeReason != reason)
        && !(beforeStatus is null && status == ConditionExtensions.True);
}
