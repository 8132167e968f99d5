namespace GmsaOperator.Webhooks.Http;

/// <summary>
/// The bytes of request bodies all admission requests may hold at once (<see cref="AdmissionBodyReader"/> grows a body's
/// buffer only as far as this grants), so however many requests arrive together their bodies cannot add up to more
/// memory than this. Waiters are served in arrival order, so a large body is not starved by a stream of small ones.
/// </summary>
public sealed class BodyBudget(long capacity, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _available = capacity;

    public long Capacity { get; } = capacity;

    /// <summary>Bytes granted and not yet released.</summary>
    public long InUse
    {
        get
        {
            lock (_gate) return Capacity - _available;
        }
    }

    /// <summary>Requests waiting for room.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate) return _waiters.Count;
        }
    }

    /// <summary>
    /// Grants <paramref name="bytes"/> (at most <see cref="Capacity"/>), waiting behind earlier requests for up to
    /// <paramref name="maxWait"/>. Null when the wait ran out; throws when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async ValueTask<Lease?> AcquireAsync(long bytes, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, Capacity);
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return new Lease(this, bytes);
            }
            waiter = new Waiter(bytes);
            node = _waiters.AddLast(waiter);
        }

        using var timeout = new CancellationTokenSource(maxWait, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        bool granted;
        await using (either.Token.Register(() => Withdraw(node)).ConfigureAwait(false))
        {
            granted = await waiter.Outcome.Task.ConfigureAwait(false);
        }
        if (granted) return new Lease(this, bytes);
        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }

    private void Withdraw(LinkedListNode<Waiter> node)
    {
        List<Waiter>? granted;
        lock (_gate)
        {
            // Already granted: the grant stands and its lease releases the bytes.
            if (node.List is null) return;
            _waiters.Remove(node);
            // The withdrawn waiter may have been the one holding back smaller ones behind it.
            granted = GrantWaiting();
        }
        node.Value.Outcome.TrySetResult(false);
        Complete(granted);
    }

    private void Release(long bytes)
    {
        List<Waiter>? granted;
        lock (_gate)
        {
            _available += bytes;
            granted = GrantWaiting();
        }
        Complete(granted);
    }

    private List<Waiter>? GrantWaiting()
    {
        List<Waiter>? granted = null;
        while (_waiters.First is { } first && first.Value.Bytes <= _available)
        {
            _available -= first.Value.Bytes;
            _waiters.RemoveFirst();
            (granted ??= []).Add(first.Value);
        }
        return granted;
    }

    private static void Complete(List<Waiter>? granted)
    {
        if (granted is null) return;
        foreach (var waiter in granted) waiter.Outcome.TrySetResult(true);
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Granted bytes, which can grow; disposing gives them all back (once). One request's, not shared between threads.</summary>
    public sealed class Lease : IDisposable
    {
        private BodyBudget? _budget;

        internal Lease(BodyBudget budget, long bytes)
        {
            _budget = budget;
            Bytes = bytes;
        }

        public long Bytes { get; private set; }

        /// <summary>Adds <paramref name="more"/> bytes, waiting as <see cref="AcquireAsync"/> does; false when the wait ran out.</summary>
        public async ValueTask<bool> GrowAsync(long more, TimeSpan maxWait, CancellationToken cancellationToken)
        {
            var budget = _budget ?? throw new ObjectDisposedException(nameof(Lease));
            if (await budget.AcquireAsync(more, maxWait, cancellationToken).ConfigureAwait(false) is not { } extra) return false;
            extra._budget = null;
            Bytes += extra.Bytes;
            return true;
        }

        public void Dispose() => Interlocked.Exchange(ref _budget, null)?.Release(Bytes);
    }
}
