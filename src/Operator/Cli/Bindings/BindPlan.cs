namespace GmsaOperator.Operator.Cli.Bindings;

/// <summary>A GmsaBinding as <c>bind</c> reads it: enough to choose it and to extend it under a precondition.</summary>
public sealed record ExistingBinding(string Name, string CredentialSpecName, IReadOnlyList<string> ServiceAccounts, string? ResourceVersion);

/// <summary>What <c>bind</c> does: create a binding, extend one, or refuse with a message.</summary>
public abstract record BindAction
{
    public sealed record Create(string Name, IReadOnlyList<string> ServiceAccounts) : BindAction;

    /// <param name="ServiceAccounts">The binding's list after the change: every existing entry, in order, then the new ones.</param>
    public sealed record Extend(ExistingBinding Binding, IReadOnlyList<string> ServiceAccounts, IReadOnlyList<string> Added) : BindAction;

    public sealed record Refuse(string Message) : BindAction;
}

/// <summary>
/// Chooses the GmsaBinding to write. Without <c>--name</c>: the binding of the namespace that already grants the
/// credspec (the one named after it when several do; refused when several others do, as the choice would be a
/// guess), else a new one named after the credspec. With <c>--name</c>: that binding, which must grant the same
/// credspec when it exists. Existing service accounts are never dropped.
/// </summary>
public static class BindPlan
{
    public static BindAction Choose(IReadOnlyList<ExistingBinding> existing, string credentialSpec, IReadOnlyList<string> serviceAccounts, string? name)
    {
        var wanted = serviceAccounts.Distinct(StringComparer.Ordinal).ToList();
        if (name is not null)
        {
            return existing.FirstOrDefault(b => b.Name == name) switch
            {
                null => new BindAction.Create(name, wanted),
                { } b when b.CredentialSpecName != credentialSpec => new BindAction.Refuse(
                    $"GmsaBinding {name} grants GMSACredentialSpec {b.CredentialSpecName}, not {credentialSpec}; choose another --name"),
                { } b => Extend(b, wanted),
            };
        }

        var granting = existing.Where(b => b.CredentialSpecName == credentialSpec).OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
        if (granting.FirstOrDefault(b => b.Name == credentialSpec) is { } named) return Extend(named, wanted);
        if (granting.Count == 1) return Extend(granting[0], wanted);
        if (granting.Count > 1)
        {
            return new BindAction.Refuse(
                $"several GmsaBindings grant GMSACredentialSpec {credentialSpec}: {string.Join(", ", granting.Select(b => b.Name))}; choose one with --name");
        }
        if (existing.FirstOrDefault(b => b.Name == credentialSpec) is { } clash)
        {
            return new BindAction.Refuse(
                $"GmsaBinding {credentialSpec} grants GMSACredentialSpec {clash.CredentialSpecName}, not {credentialSpec}; name the new binding with --name");
        }
        return new BindAction.Create(credentialSpec, wanted);
    }

    private static BindAction.Extend Extend(ExistingBinding binding, List<string> wanted)
    {
        var added = wanted.Where(sa => !binding.ServiceAccounts.Contains(sa, StringComparer.Ordinal)).ToList();
        return new BindAction.Extend(binding, [.. binding.ServiceAccounts, .. added], added);
    }
}
