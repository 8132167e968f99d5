using GmsaOperator.Entities.Bindings;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>The repair settings a container gets and the GmsaBinding they come from.</summary>
public sealed record SecureChannelRepairChoice(string BindingName, int MaxAttempts, int IntervalSeconds);

/// <summary>
/// Picks the one binding whose repair settings apply when several grant the same (service account, credential spec):
/// only enabled ones count; the fewest attempts wins, then the shortest interval, then the binding name (ordinal), so
/// the answer never depends on cache order. Values outside the schema's bounds (a CRD installed without them) are
/// clamped into the bounds.
/// </summary>
public static class SecureChannelRepairSelection
{
    public static SecureChannelRepairChoice? Choose(IEnumerable<GmsaBinding> granting) =>
        Choose(granting.Select(b => (b.Metadata?.Name ?? "", b.Spec?.SecureChannelRepair)));

    public static SecureChannelRepairChoice? Choose(IEnumerable<(string BindingName, SecureChannelRepairSpec? Spec)> granting)
    {
        SecureChannelRepairChoice? best = null;
        foreach (var (name, spec) in granting)
        {
            if (spec is not { Enabled: true }) continue;
            var candidate = new SecureChannelRepairChoice(name,
                Math.Clamp(spec.MaxAttempts, 1, SecureChannelRepairSpec.MaxAttemptsLimit),
                Math.Clamp(spec.IntervalSeconds, 1, SecureChannelRepairSpec.IntervalSecondsLimit));
            if (best is null || Stricter(candidate, best)) best = candidate;
        }
        return best;
    }

    private static bool Stricter(SecureChannelRepairChoice a, SecureChannelRepairChoice b)
    {
        if (a.MaxAttempts != b.MaxAttempts) return a.MaxAttempts < b.MaxAttempts;
        if (a.IntervalSeconds != b.IntervalSeconds) return a.IntervalSeconds < b.IntervalSeconds;
        return string.CompareOrdinal(a.BindingName, b.BindingName) < 0;
    }
}
