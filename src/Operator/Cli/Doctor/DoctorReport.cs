using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>The checklist plus, when everything on the cluster side passed, the in-pod checks to try next.</summary>
public sealed record DoctorReport(
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("checks")] IReadOnlyList<CheckResult> Checks,
    [property: JsonPropertyName("inPodChecks")] IReadOnlyList<string>? InPodChecks)
{
    [JsonPropertyName("passed")]
    public bool Passed => Checks.All(c => c.Status != CheckStatus.Fail);

    /// <summary>0 when nothing failed, 1 otherwise ('!' does not fail).</summary>
    [JsonIgnore]
    public int ExitCode => Passed ? 0 : 1;

    public static DoctorReport From(DoctorInputs inputs)
    {
        var checks = DoctorChecks.Run(inputs);
        IReadOnlyList<string>? inPod = null;
        if (checks.All(c => c.Status != CheckStatus.Fail) && inputs.Target is { Description: not null, Found: true } target)
        {
            var domain = inputs.CredentialSpecs.FirstOrDefault(s => target.CredentialSpecNames.Contains(s.Name))?.DnsName;
            inPod = DoctorChecks.InPodChecks(domain, target.Pods.FirstOrDefault()?.Name, target.Namespace);
        }
        return new DoctorReport(inputs.Target.Namespace, inputs.Target.Description, checks, inPod);
    }

    public string ToText()
    {
        var sb = new StringBuilder();
        sb.Append("GMSA doctor: namespace ").Append(Namespace);
        if (Target is not null) sb.Append(", ").Append(Target);
        sb.Append('\n');
        foreach (var check in Checks)
        {
            sb.Append(check.Symbol).Append(' ').Append(check.Title);
            if (check.Detail is not null) sb.Append(": ").Append(check.Detail);
            sb.Append('\n');
            if (check.Fix is not null) sb.Append("    fix: ").Append(check.Fix).Append('\n');
        }
        var failed = Checks.Count(c => c.Status == CheckStatus.Fail);
        var warned = Checks.Count(c => c.Status == CheckStatus.Warn);
        sb.Append(failed == 0 ? "All checks passed" : $"{failed} check(s) failed").Append(warned > 0 ? $" ({warned} warning(s)).\n" : ".\n");
        if (InPodChecks is not null)
        {
            sb.Append('\n');
            foreach (var line in InPodChecks) sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(this, DoctorJsonContext.Default.DoctorReport) + "\n";
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DoctorReport))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;
