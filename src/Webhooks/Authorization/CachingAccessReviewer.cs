namespace GmsaOperator.Webhooks.Authorization;

/// <summary>
/// Remembers ALLOWED decisions for a short time (default 10 s; zero disables). Denials are never cached, so a new grant
/// takes effect at once; the price is that a revoked grant keeps working for up to the TTL (documented revocation delay).
/// The TTL counts from when the review was asked: from before this request's review, or from when a review already in
/// flight was sent if the answer was shared from it (<see cref="AccessDecision.ReviewSentAt"/>), so no allowed answer is
/// served longer than the TTL after it was asked.
/// Holds at most <c>maxEntries</c> decisions under fixed-size keys: anyone who can reach the webhook port can make it
/// ask (and, for a subject that may use every credspec, remember) any number of distinct questions, so when full the
/// oldest decision goes. Every entry has the same TTL, so oldest is also soonest to expire; eviction only costs a
/// repeated SubjectAccessReview.
/// </summary>
public sealed class CachingAccessReviewer : IAccessReviewer
{
    private readonly IAccessReviewer _inner;
    private readonly TimeSpan _timeToLive;
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<QuestionKey, LinkedListNode<Entry>> _entries = new();
    private readonly LinkedList<Entry> _oldestFirst = new();

    private readonly record struct Entry(QuestionKey Key, DateTimeOffset AllowedUntil);

    public CachingAccessReviewer(IAccessReviewer inner, TimeSpan timeToLive, int maxEntries, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        (_inner, _timeToLive, _maxEntries, _time) = (inner, timeToLive, maxEntries, time);
    }

    /// <summary>How many decisions are held now (expired ones included until they are found or evicted).</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    public async ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
    {
        if (_timeToLive <= TimeSpan.Zero) return await _inner.CanUseCredentialSpecAsync(subject, @namespace, credentialSpecName, cancellationToken).ConfigureAwait(false);

        var key = QuestionKey.For(subject, @namespace, credentialSpecName);
        // The TTL counts from before the review, so a decision is never reused longer than the TTL after it was asked.
        var now = _time.GetUtcNow();
        if (IsAllowed(key, now)) return new AccessDecision(true, "");

        var decision = await _inner.CanUseCredentialSpecAsync(subject, @namespace, credentialSpecName, cancellationToken).ConfigureAwait(false);
        // An answer shared from a review already in flight is older than this request: count from when it was sent.
        if (decision.Allowed) Remember(key, decision.ReviewSentAt is { } sentAt && sentAt < now ? sentAt : now);
        else Forget(key);
        return decision;
    }

    private bool IsAllowed(QuestionKey key, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node)) return false;
            if (node.Value.AllowedUntil > now) return true;
            Remove(node);
            return false;
        }
    }

    private void Remember(QuestionKey key, DateTimeOffset askedAt)
    {
        var entry = new Entry(key, askedAt + _timeToLive);
        lock (_gate)
        {
            if (_entries.Remove(key, out var existing)) _oldestFirst.Remove(existing);
            LinkedListNode<Entry>? reusable = null;
            while (_oldestFirst.First is { } oldest && (oldest.Value.AllowedUntil <= askedAt || _entries.Count >= _maxEntries))
            {
                Remove(oldest);
                reusable = oldest;
            }
            if (reusable is null) reusable = new LinkedListNode<Entry>(entry);
            else reusable.Value = entry;
            _oldestFirst.AddLast(reusable);
            _entries[key] = reusable;
        }
    }

    private void Forget(QuestionKey key)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node)) Remove(node);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _entries.Remove(node.Value.Key);
        _oldestFirst.Remove(node);
    }
}
