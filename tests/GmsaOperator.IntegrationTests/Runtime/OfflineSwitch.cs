namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>A client-side network cut: while offline every request fails and open watch streams break.</summary>
internal sealed class OfflineSwitch : DelegatingHandler
{
    private volatile CancellationTokenSource _cut = new();
    private volatile bool _offline;

    public int Lists;

    public void GoOffline()
    {
        _offline = true;
        _cut.Cancel();
    }

    public void GoOnline()
    {
        _cut = new CancellationTokenSource();
        _offline = false;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_offline) throw new HttpRequestException("offline (test network cut)");
        if (request.Method == HttpMethod.Get && !request.RequestUri!.Query.Contains("watch=true", StringComparison.Ordinal)) Interlocked.Increment(ref Lists);
        var cut = _cut.Token;
        var response = await base.SendAsync(request, cancellationToken);
        var original = response.Content;
        var content = new StreamContent(new CuttableStream(await original.ReadAsStreamAsync(cancellationToken), cut));
        foreach (var header in original.Headers) content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = content;
        return response;
    }

    private sealed class CuttableStream(Stream inner, CancellationToken cut) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (cut.IsCancellationRequested) throw new IOException("connection cut");
            return inner.Read(buffer, offset, count);
        }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cut);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token);
            }
            catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException("connection cut");
            }
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
