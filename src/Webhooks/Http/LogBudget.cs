namespace GmsaOperator.Webhooks.Http;

/// <summary>
/// At most <c>perWindow</c> log entries per window (one second unless given); the rest are counted and reported with
/// the first entry of a later window. Anyone who reaches the webhook port can make it deny (or fail handshakes) as fast
/// as it answers, and a line each would then turn a flood of requests into a flood of log (disk, log shipping) as well.
/// </summary>
public sealed class LogBudget(TimeProvider time, int perWindow, TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(1);
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
            if (now - _windowStart >= _window)
            {
                _windowStart = now;
                _used = 0;
            }
            if (_used >= perWindow)
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
