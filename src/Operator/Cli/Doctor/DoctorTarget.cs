namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>What kind of object the doctor is asked about.</summary>
public enum DoctorTargetKind
{
    Pod,
    Deployment,
    ServiceAccount,
    GmsaBinding,
}

/// <summary>A <c>KIND/NAME</c> argument (kubectl's spellings and short names accepted).</summary>
public sealed record DoctorTarget(DoctorTargetKind Kind, string Name)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}/{Name}";

    /// <summary>Parses <c>pod/NAME</c>, <c>deployment/NAME</c>, <c>serviceaccount/NAME</c> or <c>gmsabinding/NAME</c>; null with an error otherwise.</summary>
    public static DoctorTarget? Parse(string text, out string? error)
    {
        error = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var kind = slash < 0 ? "" : text[..slash].ToLowerInvariant();
        var name = slash < 0 ? "" : text[(slash + 1)..];
        DoctorTargetKind? parsed = kind switch
        {
            "pod" or "pods" or "po" => DoctorTargetKind.Pod,
            "deployment" or "deployments" or "deploy" => DoctorTargetKind.Deployment,
            "serviceaccount" or "serviceaccounts" or "sa" => DoctorTargetKind.ServiceAccount,
            "gmsabinding" or "gmsabindings" or "gmsab" => DoctorTargetKind.GmsaBinding,
            _ => null,
        };
        if (parsed is null || name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{text}' is not one of pod/NAME, deployment/NAME, serviceaccount/NAME or gmsabinding/NAME.";
            return null;
        }
        return new DoctorTarget(parsed.Value, name);
    }
}
