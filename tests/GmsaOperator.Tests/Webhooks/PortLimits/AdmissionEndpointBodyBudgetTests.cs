using System.Text;
using GmsaOperator.TestSupport;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Http;
using GmsaOperator.Webhooks.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks.PortLimits;

/// <summary>
/// A body's buffer grows only as its bytes arrive and the shared budget has room; a request that waited
/// <see cref="AdmissionBodyReader.RoomWait"/> for room is refused with 503 (counted), one whose body does not arrive within
/// <see cref="AdmissionBodyReader.Deadline"/> gets 400, and either way its share is given back.
/// </summary>
public sealed class AdmissionEndpointBodyBudgetTests
{
    private sealed class Counting : IAdmissionMetrics
    {
        public List<AdmissionOutcome> Outcomes { get; } = [];

        public void Reviewed(string webhook, AdmissionOutcome outcome)
        {
            lock (Outcomes) Outcomes.Add(outcome);
        }
    }

    /// <summary>A request body that records whether anyone read it.</summary>
    private sealed class WatchedBody(byte[] data) : MemoryStream(data)
    {
        public bool WasRead { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WasRead = true;
            return base.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            WasRead = true;
            return base.ReadAsync(buffer, offset, count, cancellationToken);
        }
    }

    private static (Microsoft.AspNetCore.Http.DefaultHttpContext Context, WatchedBody Body) Request()
    {
        var context = AdmissionRequests.Post(AdmissionRequests.PodReview);
        var body = new WatchedBody(Encoding.UTF8.GetBytes(AdmissionRequests.PodReview));
        context.Request.Body = body;
        context.Request.ContentLength = body.Length;
        return (context, body);
    }

    /// <summary>An endpoint with a 64 KiB body limit and a 64 KiB budget, on a fake clock, counting its outcomes.</summary>
    private static (FakeTimeProvider Time, BodyBudget Budget, Counting Metrics, AdmissionEndpoint Endpoint) Start()
    {
        var time = new FakeTimeProvider();
        var budget = new BodyBudget(64 * 1024, time);
        var metrics = new Counting();
        return (time, budget, metrics, new AdmissionEndpoint(NullLogger<AdmissionEndpoint>.Instance, 64 * 1024, time, metrics, budget));
    }

    private static ValueTask<AdmissionResult> Allow(AdmissionRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(AdmissionResult.Allow());

    [Test]
    public async Task WithoutRoom_TheRequestWaits_ThenGets503Unread()
    {
        var (time, budget, metrics, endpoint) = Start();
        var held = (await budget.AcquireAsync(64 * 1024 - 100, TimeSpan.Zero, CancellationToken.None))!;

        var (context, body) = Request();
        var handling = endpoint.HandleAsync(context, WebhookPaths.ValidatePod, Allow);
        await Eventually.TrueAsync(() => budget.Waiting == 1, "the request to wait for room");
        time.Advance(AdmissionBodyReader.RoomWait - TimeSpan.FromMilliseconds(1));
        Assert.That(handling.IsCompleted, Is.False, "still within its wait");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await handling;

        var text = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(context.Response.StatusCode, Is.EqualTo(503));
            Assert.That(context.Response.Headers.RetryAfter.ToString(), Is.EqualTo("1"));
            Assert.That(text, Is.EqualTo("admission request bodies in flight exceed the limit of 65536 bytes (Webhooks:MaxInFlightBodyBytes); try again"));
            Assert.That(body.WasRead, Is.False, "the body was never read");
            Assert.That(metrics.Outcomes, Is.EqualTo(new[] { AdmissionOutcome.Overloaded }));
            Assert.That((budget.InUse, budget.Waiting), Is.EqualTo((64L * 1024 - 100, 0)));
        });

        held.Dispose();
        var (next, _) = Request();
        await endpoint.HandleAsync(next, WebhookPaths.ValidatePod, Allow);
        Assert.That(next.Response.StatusCode, Is.EqualTo(200), "room again once the held bytes are back");
        Assert.That(budget.InUse, Is.Zero, "the request's share is given back when it is answered");
    }

    [Test]
    public async Task AShareGrowsAsTheBodyArrives_UpToItsDeclaredLength_OrFromTheFirstShareWhenItDeclaresNone()
    {
        var (time, budget, _, endpoint) = Start();
        long? during = null;
        ValueTask<AdmissionResult> Observe(AdmissionRequest request, CancellationToken cancellationToken)
        {
            during = budget.InUse;
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        var (small, body) = Request();
        await endpoint.HandleAsync(small, WebhookPaths.ValidatePod, Observe);
        Assert.That((small.Response.StatusCode, during), Is.EqualTo((200, body.Length)), "a small declared body: exactly its length");

        // 40,000 bytes: the first 16 KiB, then its declared length.
        var review = "{\"pad\":\"" + new string('x', 40_000 - AdmissionRequests.PodReview.Length - 9) + "\"," + AdmissionRequests.PodReview[1..];
        var large = AdmissionRequests.Post(review);
        large.Request.ContentLength = Encoding.UTF8.GetByteCount(review);
        await endpoint.HandleAsync(large, WebhookPaths.ValidatePod, Observe);
        Assert.That((large.Response.StatusCode, during, review.Length), Is.EqualTo((200, 40_000L, 40_000)));

        var chunked = AdmissionRequests.Post(AdmissionRequests.PodReview);
        await endpoint.HandleAsync(chunked, WebhookPaths.ValidatePod, Observe);
        Assert.That((chunked.Response.StatusCode, during, budget.InUse), Is.EqualTo((200, (long)AdmissionBodyReader.FirstShare, 0L)));
    }

    [Test]
    public async Task ABodyWaitingForRoomToGrow_HasNotAllocatedTheRest()
    {
        var (time, budget, _, endpoint) = Start();
        var held = (await budget.AcquireAsync(44 * 1024, TimeSpan.Zero, CancellationToken.None))!;
        var context = AdmissionRequests.Post(AdmissionRequests.PodReview);
        context.Request.Body = new MemoryStream(new byte[60_000]);
        context.Request.ContentLength = 60_000;

        // Everything up to the wait for room runs synchronously on this thread (the body is in memory).
        var before = GC.GetAllocatedBytesForCurrentThread();
        var handling = endpoint.HandleAsync(context, WebhookPaths.ValidatePod, Allow);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That((handling.IsCompleted, budget.InUse, budget.Waiting), Is.EqualTo((false, 44L * 1024 + AdmissionBodyReader.FirstShare, 1)), "waiting to grow");
        Assert.That(allocated, Is.LessThan(AdmissionBodyReader.FirstShare + 8 * 1024), "the first share's buffer, not the declared 60,000 bytes");
        held.Dispose();
        await handling;
        Assert.That((context.Response.StatusCode, budget.InUse), Is.EqualTo((400, 0L)), "read once there was room (zeros are no review)");
    }

    /// <summary>Sends its first bytes, then nothing until the reader gives up.</summary>
    private sealed class StalledBody(byte[] first) : Stream
    {
        private int _sent;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent < first.Length)
            {
                var n = Math.Min(buffer.Length, first.Length - _sent);
                first.AsMemory(_sent, n).CopyTo(buffer);
                _sent += n;
                return n;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Test]
    public async Task ABodyThatStopsArriving_Gets400AtTheDeadline_AndGivesItsShareBack()
    {
        var (time, budget, metrics, endpoint) = Start();
        var context = AdmissionRequests.Post(AdmissionRequests.PodReview);
        context.Request.Body = new StalledBody(Encoding.UTF8.GetBytes("{\"kind\":"));
        context.Request.ContentLength = 30_000;

        var handling = endpoint.HandleAsync(context, WebhookPaths.ValidatePod, Allow);
        await Eventually.TrueAsync(() => budget.InUse == AdmissionBodyReader.FirstShare, "the first share to be held");
        time.Advance(AdmissionBodyReader.Deadline - TimeSpan.FromMilliseconds(1));
        Assert.That(handling.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await handling;

        var text = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(context.Response.StatusCode, Is.EqualTo(400));
            Assert.That(text, Does.Contain("the request body did not arrive within 4 s"));
            Assert.That(metrics.Outcomes, Is.EqualTo(new[] { AdmissionOutcome.Malformed }));
            Assert.That(budget.InUse, Is.Zero);
        });
    }
}
