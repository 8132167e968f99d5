using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Runtime;

/// <summary>
/// In-memory API server transport: serves scripted list and watch responses in order and records every request URL.
/// When no watch is scripted, the watch hangs until cancelled (an idle server).
/// </summary>
internal sealed class FakeKubernetesTransport : DelegatingHandler
{
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _lists = new();
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _watches = new();

    public ConcurrentQueue<Uri> Requests { get; } = new();

    public IReadOnlyList<Uri> WatchRequests => [.. Requests.Where(IsWatch)];

    public IReadOnlyList<Uri> ListRequests => [.. Requests.Where(u => !IsWatch(u))];

    public static GmsaOperator.Runtime.Client.StreamingKubernetes Client(FakeKubernetesTransport transport) =>
        new GmsaOperator.Runtime.Client.StreamingKubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, transport);

    public void List(string resourceVersion, params V1ConfigMap[] items) =>
        _lists.Enqueue(() => Json(HttpStatusCode.OK, new
        {
            apiVersion = "v1",
            kind = "ConfigMapList",
            metadata = new { resourceVersion },
            items = items.Select(i => JsonDocument.Parse(KubernetesJson.Serialize(i)).RootElement).ToArray(),
        }));

    public void ListFails(HttpStatusCode code) => _lists.Enqueue(() => Json(code, new { kind = "Status", apiVersion = "v1", status = "Failure", code = (int)code }));

    /// <summary>A watch that sends these lines, then closes (server-side close).</summary>
    public void Watch(params string[] lines) =>
        _watches.Enqueue(() => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(string.Concat(lines.Select(l => l + "\n")), Encoding.UTF8, "application/json"),
        });

    public void WatchThrows(Exception e) => _watches.Enqueue(() => throw e);

    public static string Event(string type, V1ConfigMap cm) =>
        $$"""{"type":"{{type}}","object":{{KubernetesJson.Serialize(cm)}}}""";

    public static string Bookmark(string resourceVersion) =>
        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"}}}";

    public static string Gone() =>
        """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 10 (30)","reason":"Expired","code":410}}""";

    public static V1ConfigMap ConfigMap(string name, string resourceVersion, string ns = "ns") =>
        new() { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, ResourceVersion = resourceVersion, Uid = $"uid-{name}" } };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await RespondAsync(request, cancellationToken);
        response.RequestMessage = request; // the client reads it back
        return response;
    }

    private async Task<HttpResponseMessage> RespondAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        Requests.Enqueue(uri);
        if (IsWatch(uri))
        {
            if (_watches.TryDequeue(out var watch)) return watch();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new HangingStream()) };
        }
        if (_lists.TryDequeue(out var list)) return list();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    private static bool IsWatch(Uri u) => u.Query.Contains("watch=true", StringComparison.Ordinal);

    private static HttpResponseMessage Json(HttpStatusCode code, object body) =>
        new(code) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };

    /// <summary>A body that never yields data until the reader cancels.</summary>
    private sealed class HangingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
