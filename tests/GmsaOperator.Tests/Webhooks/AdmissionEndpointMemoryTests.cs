using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Text;
using System.Text.Json;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Http;
using GmsaOperator.Webhooks.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>
/// Answers that echo a client-chosen uid (or quote a long name) must not park large buffers in <c>ArrayPool.Shared</c>,
/// whose per-core and per-thread caches keep them after the request: under hostile traffic that was heap growth with volume.
/// </summary>
public sealed class AdmissionEndpointMemoryTests
{
    /// <summary>Records <c>ArrayPool.Shared</c> rents made in the current async flow only (the listener sees every thread).</summary>
    private sealed class LargeRentListener : EventListener
    {
        private static readonly AsyncLocal<bool> Recording = new();
        public ConcurrentQueue<int> Sizes { get; } = new();

        public IDisposable Record()
        {
            Recording.Value = true;
            return new Stop();
        }

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "System.Buffers.ArrayPoolEventSource") EnableEvents(source, EventLevel.Verbose);
        }

        // Called synchronously on the renting thread, in its execution context: the AsyncLocal tells whose rent it is.
        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == "BufferRented" && Recording.Value && e.Payload is [_, var size, ..]) Sizes.Enqueue(Convert.ToInt32(size));
        }

        private sealed class Stop : IDisposable
        {
            public void Dispose() => Recording.Value = false;
        }
    }

    [Test]
    public async Task Answer_EchoingA256KiBUid_RentsNoLargeBufferFromTheSharedPool()
    {
        var uid = new string('u', 256 * 1024);
        var review = """{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":""" + $"\"{uid}\"" + ""","operation":"CREATE","kind":{"kind":"Pod"}}}""";
        var context = AdmissionRequests.Post(review);
        var endpoint = new AdmissionEndpoint(NullLogger<AdmissionEndpoint>.Instance, 3 * 1024 * 1024);

        using var listener = new LargeRentListener();
        using (listener.Record())
        {
            await endpoint.HandleAsync(context, WebhookPaths.ValidatePod, (_, _) => ValueTask.FromResult(AdmissionResult.Deny(403, "denied")));
        }

        var answer = Answer(context);
        Assert.Multiple(() =>
        {
            Assert.That((context.Response.StatusCode, answer.Response!.Uid, answer.Response.Allowed), Is.EqualTo((200, uid, false)));
            Assert.That(context.Response.ContentLength, Is.EqualTo(((MemoryStream)context.Response.Body).Length));
            Assert.That(listener.Sizes.Where(s => s >= 64 * 1024), Is.Empty, "buffers of 64 KiB or more rented from ArrayPool.Shared");
        });
    }

    [Test]
    public async Task Answer_ToA256KiBOperation_QuotesABoundedPart_AndRentsNoLargeBuffer()
    {
        // Plain in the request (nothing to unescape), escaped in the answer: the default encoder writes '<' as \u003C.
        var operation = new string('<', 256 * 1024);
        var review = """{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u1","operation":""" + $"\"{operation}\"" + "}}";
        var context = AdmissionRequests.Post(review);
        var endpoint = new AdmissionEndpoint(NullLogger<AdmissionEndpoint>.Instance, 3 * 1024 * 1024);

        using var listener = new LargeRentListener();
        using (listener.Record())
        {
            await endpoint.HandleAsync(context, WebhookPaths.ValidatePod, (r, _) => ValueTask.FromResult(AdmissionResult.Deny(AdmissionErrors.UnexpectedOperation(r.Operation))));
        }

        var message = Answer(context).Response!.Status!.Message!;
        Assert.Multiple(() =>
        {
            Assert.That(message, Does.StartWith("unpexpected operation <<<").And.EndWith($"… ({"unpexpected operation ".Length + operation.Length - AdmissionEndpoint.MaxTextLength + 40} more characters)"));
            Assert.That(message, Has.Length.LessThanOrEqualTo(AdmissionEndpoint.MaxTextLength));
            Assert.That(listener.Sizes.Where(s => s >= 64 * 1024), Is.Empty, "buffers of 64 KiB or more rented from ArrayPool.Shared");
        });
    }

    [Test]
    public void Response_ShortTextsUnchanged_LongOnesCutOutsideSurrogatePairs()
    {
        var exact = new string('x', AdmissionEndpoint.MaxTextLength);
        var emoji = new string('x', AdmissionEndpoint.MaxTextLength - 41) + "🙂" + new string('y', 100);
        var response = AdmissionEndpoint.Response("u", AdmissionResult.Deny(403, exact) with { Warnings = [emoji] });
        Assert.That(response.Status!.Message, Is.EqualTo(exact));
        Assert.That(response.Warnings![0], Is.EqualTo(new string('x', AdmissionEndpoint.MaxTextLength - 41) + "… (102 more characters)"));
        Assert.DoesNotThrow(() => AdmissionEndpoint.Serialize(response));
    }

    [Test]
    public void Serialize_WritesTheSameJsonAsTheSerializer()
    {
        var response = AdmissionEndpoint.Response("u1", AdmissionResult.Deny(403, "user \"a\" may not <use> it & 'that'"));
        var expected = JsonSerializer.SerializeToUtf8Bytes(AdmissionReview.ForResponse(response), WebhookJsonContext.Default.AdmissionReview);
        Assert.That(AdmissionEndpoint.Serialize(response).ToArray(), Is.EqualTo(expected));
    }

    private static AdmissionReview Answer(HttpContext context) =>
        JsonSerializer.Deserialize(((MemoryStream)context.Response.Body).ToArray(), WebhookJsonContext.Default.AdmissionReview)!;
}
