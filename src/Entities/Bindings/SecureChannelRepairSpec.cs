using System.ComponentModel;
using System.Text.Json.Serialization;
using GmsaOperator.Entities.Generation;

namespace GmsaOperator.Entities.Bindings;

/// <summary>
/// Opt-in: pods using the binding's credential spec get a bounded postStart hook that restarts netlogon until
/// <c>nltest /query</c> reports success (the Kubernetes GMSA documentation's secure-channel repair, made finite).
/// </summary>
[Description("Adds a postStart hook to the containers of pods using the credential spec that restarts netlogon until nltest /query reports NERR_Success, at most maxAttempts times, then fails the container start with a message naming the domain.")]
public sealed class SecureChannelRepairSpec
{
    /// <summary>Pod annotation that opts one pod out of the repair hook (value <see cref="OptOutValue"/>).</summary>
    public const string OptOutAnnotation = "gmsa.dev/secure-channel-repair";

    /// <summary>The only value of <see cref="OptOutAnnotation"/> that opts a pod out.</summary>
    public const string OptOutValue = "disabled";

    public const int DefaultMaxAttempts = 10;
    public const int DefaultIntervalSeconds = 6;
    public const int MaxAttemptsLimit = 60;
    public const int IntervalSecondsLimit = 60;

    [JsonPropertyName("enabled")]
    [Description("Add the hook to pods of the bound service accounts.")]
    [Default(false)]
    public bool Enabled { get; set; }

    [JsonPropertyName("maxAttempts")]
    [Description("How many times netlogon is restarted before the hook gives up and the container start fails.")]
    [Default(DefaultMaxAttempts)]
    [Range(1, MaxAttemptsLimit)]
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    [JsonPropertyName("intervalSeconds")]
    [Description("Seconds to wait after a failed attempt before the next one.")]
    [Default(DefaultIntervalSeconds)]
    [Range(1, IntervalSecondsLimit)]
    public int IntervalSeconds { get; set; } = DefaultIntervalSeconds;
}
