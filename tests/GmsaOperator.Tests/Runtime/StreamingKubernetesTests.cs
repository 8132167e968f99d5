using System.Net;
using System.Text;
using GmsaOperator.Runtime.Client;
using k8s;

namespace GmsaOperator.Tests.Runtime;

/// <summary>How the operator's client reads answers: never by blocking a thread on a body still on its way.</summary>
public sealed class StreamingKubernetesTests
{
    [Test]
    public async Task AnAnswerWhoseBodyArrivesLate_IsReadAsynchronously_NoThreadWaitsForIt()
    {
        var body = new LateBody("""{"apiVersion":"authorization.k8s.io/v1","kind":"LocalSubjectAccessReview","metadata":{"namespace":"ns"},"spec":{},"status":{"allowed":true,"reason":"granted"}}""");
        using var client = new StreamingKubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, new Answering(body));

        var review = client.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(new k8s.Models.V1LocalSubjectAccessReview(), "ns");
        await body.Requested.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(review.IsCompleted, Is.False, "the body has not arrived");
        body.Arrive();

        var result = await review.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status.Allowed, Is.True);
            Assert.That(result.Status.Reason, Is.EqualTo("granted"));
            Assert.That(body.SynchronousReads, Is.Zero);
        });
    }

    private sealed class Answering(Stream body) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created) { RequestMessage = request, Content = new StreamContent(body) });
    }

    /// <summary>A response body whose bytes come only once <see cref="Arrive"/> is called; a synchronous read of it would block.</summary>
    private sealed class LateBody(string json) : Stream
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(json);
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public TaskCompletionSource Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int SynchronousReads { get; private set; }

        public void Arrive() => _arrived.TrySetResult();

        public override int Read(byte[] buffer, int offset, int count)
        {
            SynchronousReads++;
            throw new InvalidOperationException("a thread would have blocked here until the body arrived");
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Requested.TrySetResult();
            await _arrived.Task.WaitAsync(cancellationToken);
            var n = Math.Min(buffer.Length, _bytes.Length - _position);
            _bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
