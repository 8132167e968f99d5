using System.Text.Json.Serialization;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>Outcome of one doctor check: ✓ passed, ✗ failed (has a fix), ! worth a look but not failing.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckStatus>))]
public enum CheckStatus
{
    Pass,
    Fail,
    Warn,
}

/// <summary>One line of the checklist: what was checked, the outcome, details and — for a failure — the fix.</summary>
public sealed record CheckResult(string Title, CheckStatus Status, string? Detail = null, string? Fix = null)
{
    public static CheckResult Pass(string title, string? detail = null) => new(title, CheckStatus.Pass, detail);

    public static CheckResult Fail(string title, string detail, string fix) => new(title, CheckStatus.Fail, detail, fix);

    public static CheckResult Warn(string title, string detail, string? fix = null) => new(title, CheckStatus.Warn, detail, fix);

    [JsonIgnore]
    public string Symbol => Status switch
    {
        CheckStatus.Pass => "✓",
        CheckStatus.Fail => "✗",
        _ => "!",
    };
}
