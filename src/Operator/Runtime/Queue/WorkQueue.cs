namespace GmsaOperator.Runtime.Queue;

/// <summary>
/// client-go's rate-limiting work queue: a key is queued at most once (dirty set), is never handed to two workers at once
/// (processing set), and a key added while it is being processed is queued again once <see cref="Done"/> is called.
/// </summary>
public sealed class WorkQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Queue<ObjectKey> _queue = new();
    private readonly HashSet<ObjectKey> _dirty = [];
    private readonly HashSet<ObjectKey> _processing = [];
    private readonly Dictionary<ObjectKey, DateTimeOffset> _addedAt = [];
    private readonly Dictionary<ObjectKey, DateTimeOffset> _startedAt = [];
    private readonly Dictionary<ObjectKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly SemaphoreSlim _ready = new(0);
    private readonly IRateLimiter _rateLimiter;
    private readonly TimeProvider _time;
    private readonly IWorkQueueMetrics _metrics;
    private bool _shuttingDown;

    public WorkQueue(IRateLimiter rateLimiter, TimeProvider time, IWorkQueueMetrics? metrics = null)
    {
        _rateLimiter = rateLimiter;
        _time = time;
        _metrics = metrics ?? IWorkQueueMetrics.None;
    }

    /// <summary>Keys waiting to be handed out.</summary>
    public int Count { get { lock (_lock) return _queue.Count; } }

    /// <summary>Keys waiting for a delayed add (RequeueAfter or a rate-limited retry).</summary>
    public int DelayedCount { get { lock (_lock) return _delayed.Count; } }

    public void Add(ObjectKey key)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(key)) return;
            _metrics.Added();
            _addedAt.TryAdd(key, _time.GetUtcNow());
            if (_processing.Contains(key)) return; // redone once after Done
            Enqueue(key);
        }
    }

    /// <summary>Adds <paramref name="key"/> after <paramref name="delay"/>; of several pending delays the earliest wins.</summary>
    public void AddAfter(ObjectKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        lock (_lock)
        {
            if (_shuttingDown) return;
            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due) return;
                pending.Timer.Dispose();
            }
            ITimer? timer = null;
            timer = _time.CreateTimer(_ =>
            {
                lock (_lock)
                {
                    if (!_delayed.TryGetValue(key, out var current) || !ReferenceEquals(current.Timer, timer)) return;
                    _delayed.Remove(key);
                }
                timer!.Dispose();
                Add(key);
            }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds after the rate limiter's delay for this key (a retry).</summary>
    public void AddRateLimited(ObjectKey key)
    {
        _metrics.Retry();
        AddAfter(key, _rateLimiter.When(key));
    }

    /// <summary>Clears the key's failure history (after a success).</summary>
    public void Forget(ObjectKey key) => _rateLimiter.Forget(key);

    public int Retries(ObjectKey key) => _rateLimiter.Retries(key);

    /// <summary>Waits for the next key; null once the queue is shut down.</summary>
    public async Task<ObjectKey?> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _ready.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_shuttingDown)
                {
                    _ready.Release(); // wake the next waiter too
                    return null;
                }
                if (_queue.Count == 0) continue;
                var key = _queue.Dequeue();
                _processing.Add(key);
                _dirty.Remove(key);
                var now = _time.GetUtcNow();
                if (_addedAt.Remove(key, out var added)) _metrics.QueueLatency(now - added);
                _startedAt[key] = now;
                _metrics.Depth(_queue.Count);
                return key;
            }
        }
    }

    /// <summary>Marks the key as no longer being processed; if it was added meanwhile it is queued again.</summary>
    public void Done(ObjectKey key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_startedAt.Remove(key, out var started)) _metrics.WorkDuration(_time.GetUtcNow() - started);
            if (_dirty.Contains(key) && !_shuttingDown) Enqueue(key);
            if (_queue.Count == 0 && _processing.Count == 0 && _dirty.Count == 0) ShrinkAfterBurst();
        }
    }

    /// <summary>Capacity the bookkeeping keeps once drained; a burst of 10,000 keys would otherwise stay allocated.</summary>
    internal const int RetainedCapacity = 1024;

    /// <summary>The largest capacity among the bookkeeping collections.</summary>
    internal int BookkeepingCapacity { get { lock (_lock) return LargestCapacity(); } }

    private int LargestCapacity() =>
        Math.Max(Math.Max(_queue.EnsureCapacity(0), _dirty.EnsureCapacity(0)),
            Math.Max(Math.Max(_processing.EnsureCapacity(0), _addedAt.EnsureCapacity(0)), _startedAt.EnsureCapacity(0)));

    // Called with the lock held once nothing is queued or in progress; cheap when the collections are already small.
    private void ShrinkAfterBurst()
    {
        if (LargestCapacity() <= RetainedCapacity) return;
        _queue.TrimExcess();
        _dirty.TrimExcess();
        _processing.TrimExcess();
        _addedAt.TrimExcess();
        _startedAt.TrimExcess();
    }

    /// <summary>Stops handing out keys: waiting and future <see cref="GetAsync"/> calls return null; pending delays are dropped.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            if (_shuttingDown) return;
            _shuttingDown = true;
            foreach (var (_, (_, timer)) in _delayed) timer.Dispose();
            _delayed.Clear();
            _ready.Release();
        }
    }

    public void Dispose()
    {
        ShutDown();
        _ready.Dispose();
    }

    private void Enqueue(ObjectKey key)
    {
        _queue.Enqueue(key);
        _metrics.Depth(_queue.Count);
        _ready.Release();
    }
}
