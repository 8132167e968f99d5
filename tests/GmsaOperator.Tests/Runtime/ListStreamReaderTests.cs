using System.Text;
using System.Text.Json;
using GmsaOperator.Runtime.Informers;
using k8s.Models;

namespace GmsaOperator.Tests.Runtime;

public sealed class ListStreamReaderTests
{
    private static string ConfigMap(string name, int dataLength = 4) =>
        $$$"""{"metadata":{"name":"{{{name}}}","namespace":"ns","resourceVersion":"5"},"data":{"k":"{{{new string('x', dataLength)}}}"}}""";

    private static async Task<(List<V1ConfigMap> Items, ListStreamReader.ListMetadata Metadata)> ReadAsync(string json, int chunk)
    {
        var items = new List<V1ConfigMap>();
        await using var stream = new ChunkedStream(Encoding.UTF8.GetBytes(json), chunk);
        var metadata = await ListStreamReader.ReadAsync(stream, KubernetesJsonTypes.Of<V1ConfigMap>(), items.Add, CancellationToken.None);
        return (items, metadata);
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(4096)]
    public async Task DecodesEveryItemAndTheListMetadata_WhateverTheChunking(int chunk)
    {
        var json = $$"""{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"next-page","remainingItemCount":3},"items":[{{ConfigMap("a")}},{{ConfigMap("b")}},{{ConfigMap("c")}}]}""";

        var (items, metadata) = await ReadAsync(json, chunk);

        Assert.Multiple(() =>
        {
            Assert.That(items.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(items[2].Data["k"], Is.EqualTo("xxxx"));
            Assert.That(metadata.ResourceVersion, Is.EqualTo("42"));
            Assert.That(metadata.Continue, Is.EqualTo("next-page"));
        });
    }

    [Test]
    public async Task MetadataAfterTheItems_AndUnknownMembers_AreHandled()
    {
        var json = $$$"""{"extra":{"nested":[1,{"items":[]}]},"items":[{{{ConfigMap("a")}}}],"other":[{"metadata":{}}],"metadata":{"resourceVersion":"7"}}""";

        var (items, metadata) = await ReadAsync(json, 5);

        Assert.Multiple(() =>
        {
            Assert.That(items.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(metadata.ResourceVersion, Is.EqualTo("7"));
            Assert.That(metadata.Continue, Is.Null);
        });
    }

    [Test]
    public async Task AnItemLargerThanTheBuffer_GrowsIt()
    {
        var json = $$"""{"metadata":{"resourceVersion":"1"},"items":[{{ConfigMap("big", 300_000)}},{{ConfigMap("small")}}]}""";

        var (items, _) = await ReadAsync(json, 100_000);

        Assert.That(items.Select(i => i.Data["k"].Length), Is.EqualTo(new[] { 300_000, 4 }));
    }

    [TestCase("""{"metadata":{"resourceVersion":"1"},"items":null}""")]
    [TestCase("""{"metadata":{"resourceVersion":"1"},"items":[]}""")]
    [TestCase("""{"metadata":{"resourceVersion":"1"}}""")]
    public async Task NoItems(string json)
    {
        var (items, metadata) = await ReadAsync(json, 3);

        Assert.Multiple(() =>
        {
            Assert.That(items, Is.Empty);
            Assert.That(metadata.ResourceVersion, Is.EqualTo("1"));
        });
    }

    [TestCase("")]
    [TestCase("""{"metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a"}}""")]
    [TestCase("""{"metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a"}""")]
    [TestCase("""{"items":[{"metadata":{"name":"a"}}]} trailing""")]
    [TestCase("""{"items":[1]}""")]
    public void ATruncatedOrMalformedList_Throws(string json) =>
        Assert.That(async () => await ReadAsync(json, 4), Throws.InstanceOf<JsonException>());

    [Test]
    public void AClientThatCannotStream_IsRefusedNamingTheFix()
    {
        var source = new KubernetesResourceSource<V1ConfigMap>(new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = "http://fake.invalid" }), "ns", null, 500);

        Assert.That(() => source.ListAsync(fromWatchCache: true, CancellationToken.None),
            Throws.InvalidOperationException.With.Message.Contains("StreamingKubernetes"));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, as a network stream may.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
