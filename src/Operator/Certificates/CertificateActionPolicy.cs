namespace GmsaOperator.Operator.Certificates;

/// <summary>What a non-leader remembers between reconciles: since when actions are pending, and until when it sits out its jitter.</summary>
public sealed record PolicyState(DateTimeOffset? PendingSince, DateTimeOffset? JitterUntil)
{
    public static PolicyState Idle { get; } = new(null, null);
}

/// <summary>The actions to carry out now, when to look again at the latest, why a non-leader acts (null otherwise), and the state to keep.</summary>
public sealed record ActionDecision(IReadOnlyList<CertificateAction> Actions, DateTimeOffset? RecheckAt, string? NonLeaderReason, PolicyState State);

/// <summary>
/// Which of a plan's actions this replica carries out. The leader does all of them. A non-leader does nothing unless
/// some are urgent or the actions have been pending for <see cref="CertificateSettings.NonLeaderOverdue"/> (a stuck
/// leader); then it first sits out a random jitter, drawn once, so that the leader or another replica usually goes
/// first, and acts only if a plan made after the jitter (from a fresh read) still asks for it: the urgent actions, or all
/// of them once overdue. Becoming leader ends the wait: the leader branch ignores it, and while waiting the decision
/// asks to look again every <see cref="LeadershipPoll"/>. Pure: time, leadership and the jitter are inputs.
/// </summary>
public static class CertificateActionPolicy
{
    /// <summary>How often a replica sitting out its jitter looks whether it became leader meanwhile.</summary>
    public static readonly TimeSpan LeadershipPoll = TimeSpan.FromMilliseconds(100);

    public static ActionDecision Decide(RotationPlan plan, bool isLeader, DateTimeOffset now, PolicyState state, CertificateSettings settings, Func<TimeSpan> drawJitter)
    {
        if (plan.Actions.Count == 0) return new([], null, null, PolicyState.Idle);
        if (isLeader) return new([.. plan.Actions], null, null, state);

        var pendingSince = state.PendingSince ?? now;
        var overdueAt = pendingSince + settings.NonLeaderOverdue;
        var overdue = now >= overdueAt;
        if (!plan.HasUrgentActions && !overdue) return new([], overdueAt, null, new(pendingSince, null));

        var jitterUntil = state.JitterUntil ?? now + drawJitter();
        var next = new PolicyState(pendingSince, jitterUntil);
        if (now < jitterUntil)
        {
            var poll = now + LeadershipPoll;
            return new([], poll < jitterUntil ? poll : jitterUntil, null, next);
        }
        // Urgent actions keep their order (CA, bundles, leaf); a CA write the urgent ones depend on is urgent itself.
        return overdue
            ? new([.. plan.Actions], null, "overdue", next)
            : new([.. plan.Actions.Where(a => a.Urgent)], overdueAt, "urgent", next);
    }

    /// <summary>A random delay up to <see cref="CertificateSettings.NonLeaderMaxJitter"/>.</summary>
    public static TimeSpan RandomJitter(CertificateSettings settings) =>
        TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * settings.NonLeaderMaxJitter.TotalMilliseconds);
}
