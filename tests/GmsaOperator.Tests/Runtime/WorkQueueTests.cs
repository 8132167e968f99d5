using System.Collections.Concurrent;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Queue;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Runtime;

public sealed class WorkQueueTests
{
    private readonly FakeTimeProvider _time = new();

    private static ObjectKey K(string name) => new(null, name);

    private WorkQueue NewQueue() => new(MaxOfRateLimiter.Default(_time), _time);

    private static async Task<ObjectKey?> GetAsync(WorkQueue queue) => await queue.GetAsync(new CancellationTokenSource(2000).Token);

    [Test]
    public void AddsOfAQueuedKeyAreCoalesced()
    {
        using var queue = NewQueue();
        queue.Add(new ObjectKey("ns", "a"));
        queue.Add(new ObjectKey("ns", "a"));
        queue.Add(new ObjectKey("ns", "b"));
        queue.Add(new ObjectKey("ns", "a"));

        Assert.That(queue.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task ABurstsBookkeepingIsGivenBack_OnceDrained()
    {
        using var queue = NewQueue();
        for (var i = 0; i < 10_000; i++) queue.Add(K($"k{i}"));
        var first = (await GetAsync(queue))!.Value;
        Assert.That(queue.BookkeepingCapacity, Is.GreaterThanOrEqualTo(10_000));
        queue.Done(first);
        Assert.That(queue.BookkeepingCapacity, Is.GreaterThanOrEqualTo(10_000), "not drained yet: nothing shrinks");

        for (var i = 1; i < 10_000; i++) queue.Done((await GetAsync(queue))!.Value);
        Assert.That(queue.BookkeepingCapacity, Is.LessThanOrEqualTo(WorkQueue.RetainedCapacity));

        // Still a working queue.
        queue.Add(K("again"));
        Assert.That(await GetAsync(queue), Is.EqualTo(K("again")));
    }

    [Test]
    public async Task AKeyAddedWhileProcessingIsRedoneOnceAfterDone()
    {
        using var queue = NewQueue();
        queue.Add(K("a"));
        var key = await GetAsync(queue);
        queue.Add(K("a"));
        queue.Add(K("a"));

        Assert.That(queue.Count, Is.Zero, "not handed out again while processing");
        queue.Done(key!.Value);
        Assert.That(queue.Count, Is.EqualTo(1), "redone once");
        Assert.That(await GetAsync(queue), Is.EqualTo(K("a")));
    }

    [Test]
    public async Task NeverRunsOneKeyConcurrently()
    {
        using var queue = NewQueue();
        var active = new ConcurrentDictionary<ObjectKey, int>();
        var overlaps = 0;
        var processed = 0;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (await queue.GetAsync(CancellationToken.None) is { } key)
            {
                if (active.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref overlaps);
                await Task.Yield();
                Thread.SpinWait(1000);
                active.AddOrUpdate(key, 0, (_, n) => n - 1);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        })).ToArray();
        for (var i = 0; i < 3000; i++) queue.Add(K($"k{i % 3}"));
        await Eventually.TrueAsync(() => queue.Count == 0 && active.Values.All(v => v == 0), "the queue to drain");
        queue.ShutDown();
        await Task.WhenAll(workers);

        Assert.That(overlaps, Is.Zero);
        Assert.That(processed, Is.LessThan(3000), "adds were coalesced");
    }

    [Test]
    public async Task RateLimitedRetriesWaitLongerEachTime()
    {
        using var queue = NewQueue();
        var delays = new List<TimeSpan>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            queue.AddRateLimited(K("a"));
            var waited = TimeSpan.Zero;
            while (queue.Count == 0)
            {
                _time.Advance(TimeSpan.FromMilliseconds(1));
                waited += TimeSpan.FromMilliseconds(1);
            }
            delays.Add(waited);
            queue.Done((await GetAsync(queue))!.Value);
        }

        Assert.That(delays, Is.EqualTo(new[] { 5, 10, 20, 40 }.Select(ms => TimeSpan.FromMilliseconds(ms))));
        Assert.That(queue.Retries(K("a")), Is.EqualTo(4));
        queue.Forget(K("a"));
        Assert.That(queue.Retries(K("a")), Is.Zero);
    }

    [Test]
    public void PerKeyBackoffIsCappedAtFiveMinutes()
    {
        var limiter = new ExponentialFailureRateLimiter(TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(5));
        var last = TimeSpan.Zero;
        for (var i = 0; i < 40; i++) last = limiter.When(K("a"));

        Assert.That(last, Is.EqualTo(TimeSpan.FromMinutes(5)));
        Assert.That(limiter.When(K("b")), Is.EqualTo(TimeSpan.FromMilliseconds(5)), "per key");
    }

    [Test]
    public void GlobalTokenBucketDelaysAfterTheBurst()
    {
        var bucket = new TokenBucketRateLimiter(10, 100, _time);
        for (var i = 0; i < 100; i++) Assert.That(bucket.When(K($"k{i}")), Is.EqualTo(TimeSpan.Zero));

        Assert.That(bucket.When(K("x")).TotalMilliseconds, Is.EqualTo(100).Within(1));
        Assert.That(bucket.When(K("y")).TotalMilliseconds, Is.EqualTo(200).Within(1));
    }

    [Test]
    public void AddAfterFiresAtTheDelayAndTheEarliestWins()
    {
        using var queue = NewQueue();
        queue.AddAfter(K("a"), TimeSpan.FromMinutes(10));
        queue.AddAfter(K("a"), TimeSpan.FromMinutes(1));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(queue.Count, Is.Zero);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(queue.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task ShutDownReleasesWaitingWorkers()
    {
        using var queue = NewQueue();
        var waiting = queue.GetAsync(CancellationToken.None);
        queue.ShutDown();

        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(2)), Is.Null);
    }
}
