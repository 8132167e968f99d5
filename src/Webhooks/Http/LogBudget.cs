namespace GmsaOperator.Webhooks.Http;

/// <summary>
/// At most <c>perSecond</c> log entries per one-second window; the rest are counted and reported with the first entry
/// of a later window. Anyone who reaches the webhook port can make it deny as fast as it answers, and a line per denial
/// would then turn a flood of requests into a flood of log (disk, log shipping) as well.
/// </summary>
public sealed class LogBudget(TimeProvider time, int perSecond)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _used;
    private int _heldBack;

    /// <summary>True when this entry may be logged; <paramref name="heldBack"/> is how many were held back since the last one that was.</summary>
    public bool TryTake(out int heldBack)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (now - _windowStart >= Window)
            {
                _windowStart = now;
                _used = 0;
            }
            if (_used >= perSecond)
            {
                _heldBack++;
                heldBack = 0;
                return false;
            }
            _used++;
            heldBack = _heldBack;
            _heldBack = 0;
            return true;
        }
    }
}
