using System.Net;
using System.Net.Sockets;
using k8s.Autorest;
using Polly;
using Polly.Retry;

namespace GmsaOperator.Runtime.Writes;

/// <summary>The Polly pipeline for API calls: retries 429 (honouring Retry-After), 5xx, connection failures and timeouts.</summary>
public static class KubernetesResilience
{
    public static ResiliencePipeline Create(TimeProvider time, int maxRetries = 5, TimeSpan? baseDelay = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay ?? TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
            })
            .Build();

    /// <summary>True for failures worth retrying unchanged: throttling, server errors, broken connections, client timeouts.</summary>
    public static bool IsTransient(Exception e, CancellationToken callerToken) => e switch
    {
        HttpOperationException h => (int)h.Response.StatusCode is 429 or 500 or 502 or 503 or 504,
        HttpRequestException { StatusCode: null } => true, // connection refused/reset, DNS, TLS handshake
        HttpRequestException { StatusCode: { } code } => (int)code is 429 or >= 500,
        SocketException or IOException or TimeoutException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested, // HttpClient timeout, not our cancellation
        _ => false,
    };

    private static TimeSpan? RetryAfter(Exception? e)
    {
        if (e is not HttpOperationException { Response: { StatusCode: HttpStatusCode.TooManyRequests } response }) return null;
        if (response.Headers is not null && response.Headers.TryGetValue("Retry-After", out var values)
            && values.FirstOrDefault() is { } value && int.TryParse(value, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, 60));
        }
        return null;
    }
}
