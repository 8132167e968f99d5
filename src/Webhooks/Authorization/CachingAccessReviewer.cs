using System.Collections.Concurrent;

namespace GmsaOperator.Webhooks.Authorization;

/// <summary>
/// Remembers ALLOWED decisions for a short time (default 10 s; zero disables). Denials are never cached, so a new grant
/// takes effect at once; the price is that a revoked grant keeps working for up to the TTL (documented revocation delay).
/// </summary>
public sealed class CachingAccessReviewer(IAccessReviewer inner, TimeSpan timeToLive, TimeProvider time) : IAccessReviewer
{
    private const int PruneThreshold = 4096;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _allowedUntil = new(StringComparer.Ordinal);

    public async ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
    {
        if (timeToLive <= TimeSpan.Zero) return await inner.CanUseCredentialSpecAsync(subject, @namespace, credentialSpecName, cancellationToken).ConfigureAwait(false);

        var key = subject.QuestionKey(@namespace, credentialSpecName);
        var now = time.GetUtcNow();
        if (_allowedUntil.TryGetValue(key, out var until) && until > now) return new AccessDecision(true, "");

        var decision = await inner.CanUseCredentialSpecAsync(subject, @namespace, credentialSpecName, cancellationToken).ConfigureAwait(false);
        if (decision.Allowed)
        {
            if (_allowedUntil.Count >= PruneThreshold) Prune(now);
            _allowedUntil[key] = now + timeToLive;
        }
        else
        {
            _allowedUntil.TryRemove(key, out _);
        }
        return decision;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var entry in _allowedUntil)
        {
            if (entry.Value <= now) _allowedUntil.TryRemove(entry.Key, out _);
        }
    }
}
