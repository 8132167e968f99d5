using System.Security.Cryptography;
using System.Text;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Metrics.Security;

/// <summary>What the filter decided: <c>Allowed</c> → serve, else 401, 403 or 500 (the authorizer failed; nothing is served).</summary>
public enum MetricsAccess
{
    Allowed,
    Unauthenticated,
    Forbidden,
    AuthorizationFailed,
}

/// <summary>How long and how many positive answers the filter remembers (time to live 0 or capacity 0: none).</summary>
public sealed record MetricsAccessCacheSettings(TimeSpan TimeToLive, int Capacity);

/// <summary>
/// controller-runtime's <c>WithAuthenticationAndAuthorization</c>: the <c>Authorization: Bearer</c> token is
/// authenticated (TokenReview), then the caller authorised for the request's lower-cased method on its path
/// (SubjectAccessReview on a non-resource URL). No token, an invalid token or a failed TokenReview → 401; denied →
/// 403; a failed SubjectAccessReview → 500. Only positive answers are cached, briefly and in bounded number, so a
/// scraper does not cost two reviews per scrape while a revoked grant stops working within the time to live.
/// Tokens are never logged nor kept: the authentication cache is keyed by their SHA-256.
/// </summary>
public sealed partial class MetricsAccessFilter(IMetricsAuthenticator authenticator, IMetricsAuthorizer authorizer,
    MetricsAccessCacheSettings cache, TimeProvider time, ILogger<MetricsAccessFilter> logger)
{
    private readonly ExpiringCache<MetricsCaller> _callers = new(cache.TimeToLive, cache.Capacity, time);
    private readonly ExpiringCache<bool> _allowed = new(cache.TimeToLive, cache.Capacity, time);

    public async Task<(MetricsAccess Access, string? User)> CheckAsync(string? authorizationHeader, string method, string path, CancellationToken cancellationToken)
    {
        if (BearerToken(authorizationHeader) is not { } token)
        {
            LogNoToken(logger);
            return (MetricsAccess.Unauthenticated, null);
        }

        var tokenKey = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (!_callers.TryGet(tokenKey, out var caller))
        {
            try
            {
                caller = await authenticator.AuthenticateAsync(token, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Type and status only: an error's message could quote the request.
                LogAuthenticationFailed(logger, e.GetType().Name, StatusOf(e));
                return (MetricsAccess.Unauthenticated, null);
            }
            if (caller is null)
            {
                LogInvalidToken(logger);
                return (MetricsAccess.Unauthenticated, null);
            }
            _callers.Set(tokenKey, caller);
        }

        var verb = method.ToLowerInvariant();
        var decisionKey = string.Join('\u0003', caller.CacheKey, verb, path);
        if (_allowed.TryGet(decisionKey, out _)) return (MetricsAccess.Allowed, caller.User);
        bool allowed;
        try
        {
            allowed = await authorizer.IsAllowedAsync(caller, path, verb, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAuthorizationFailed(logger, caller.User, e.GetType().Name, StatusOf(e));
            return (MetricsAccess.AuthorizationFailed, caller.User);
        }
        if (!allowed)
        {
            LogDenied(logger, caller.User, verb, path);
            return (MetricsAccess.Forbidden, caller.User);
        }
        _allowed.Set(decisionKey, true);
        return (MetricsAccess.Allowed, caller.User);
    }

    /// <summary>The token of <c>Authorization: Bearer &lt;token&gt;</c>, parsed as the API server does (scheme case-insensitive).</summary>
    public static string? BearerToken(string? header)
    {
        var parts = (header ?? "").Trim().Split(' ', 3);
        return parts.Length >= 2 && parts[0].Equals("bearer", StringComparison.OrdinalIgnoreCase) && parts[1].Length > 0 ? parts[1] : null;
    }

    private static string StatusOf(Exception e) => e is HttpOperationException { Response: { } response } ? $"HTTP {(int)response.StatusCode}" : "no HTTP response";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics request without a bearer token: 401")]
    private static partial void LogNoToken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics request with a token the API server did not authenticate: 401")]
    private static partial void LogInvalidToken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics request: TokenReview failed ({ErrorType}, {Status}): 401")]
    private static partial void LogAuthenticationFailed(ILogger logger, string errorType, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics request of {User}: SubjectAccessReview failed ({ErrorType}, {Status}): 500")]
    private static partial void LogAuthorizationFailed(ILogger logger, string user, string errorType, string status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics request of {User} denied: may not {Verb} {Path}: 403")]
    private static partial void LogDenied(ILogger logger, string user, string verb, string path);
}
