using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.LeaderElection;

/// <summary>
/// Logs leader-election failures with the API server's reason and message (the elector itself swallows them, so a
/// replica that can never lead would otherwise say nothing), at most one line per distinct failure per 30 s.
/// </summary>
public sealed partial class LeaderElectionErrorLog(LeaderElectionOptions options, TimeProvider time, ILogger<LeaderElectionErrorLog> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private readonly RepeatThrottle _throttle = new(time, Window);

    /// <param name="operation">What was attempted on the Lease: get, create, update, renew.</param>
    public void Report(string operation, Exception exception)
    {
        var error = ApiError.From(exception);
        // Keyed without the message: it can carry changing details (resource versions, request ids).
        if (!_throttle.ShouldReport($"{operation} {error.StatusCode} {error.Reason}", out var suppressed)) return;
        if (suppressed == 0) LogFailed(operation, options.Namespace, options.LeaseName, error.Reason, error.Message);
        else LogFailedAgain(operation, options.Namespace, options.LeaseName, error.Reason, error.Message, suppressed, (int)Window.TotalSeconds);
    }

    [LoggerMessage(LogLevel.Warning, "Leader election: {Operation} of Lease {Namespace}/{Lease} failed: {Reason}: {Message}")]
    private partial void LogFailed(string operation, string @namespace, string lease, string reason, string message);

    [LoggerMessage(LogLevel.Warning, "Leader election: {Operation} of Lease {Namespace}/{Lease} failed: {Reason}: {Message} ({Suppressed} repeats in the last {WindowSeconds} s not logged)")]
    private partial void LogFailedAgain(string operation, string @namespace, string lease, string reason, string message, int suppressed, int windowSeconds);
}
