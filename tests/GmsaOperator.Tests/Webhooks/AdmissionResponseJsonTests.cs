using System.Text;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Http;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>The response document, byte for byte as the Go webhook's <c>json.Marshal</c> of an AdmissionReview writes it.</summary>
public sealed class AdmissionResponseJsonTests
{
    [Test]
    public void Patch_IsStandardBase64_Unescaped_AsGoMarshalsBytes()
    {
        // Bytes whose base64 holds '+', '/' and padding: Go writes them as they are (no \u002B).
        var patch = new byte[] { 0xfb, 0xff, 0xfe, 0x01 };
        var json = Encoding.UTF8.GetString(AdmissionEndpoint.Serialize(AdmissionEndpoint.Response("u-1", AdmissionResult.AllowWithPatch(patch))).Span);

        Assert.That(json, Is.EqualTo(
            """{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"u-1","allowed":true,"patch":"+//+AQ==","patchType":"JSONPatch"}}"""));
    }

    [Test]
    public void NoPatch_NoPatchMembers()
    {
        var json = Encoding.UTF8.GetString(AdmissionEndpoint.Serialize(AdmissionEndpoint.Response("u-2", AdmissionResult.Allow())).Span);

        Assert.That(json, Is.EqualTo("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"u-2","allowed":true}}"""));
    }

    /// <summary>Answers of every shape fit the buffer sized for them, so each is written into one array, never regrown.</summary>
    [TestCase(0, 0, 0)]
    [TestCase(700, 0, 0)]
    [TestCase(1_500, 0, 2)]
    [TestCase(60_000, 0, 0)]
    [TestCase(0, 300, 0)]
    [TestCase(0, 4096, 3)]
    public void TheAnswerIsWrittenIntoOneBufferOfTheEstimatedLength(int patchBytes, int messageLength, int warnings)
    {
        var patch = Enumerable.Range(0, patchBytes).Select(i => (byte)i).ToArray();
        var text = new string('m', messageLength);
        var result = messageLength > 0 ? AdmissionResult.Deny(403, text)
            : patchBytes > 0 ? AdmissionResult.AllowWithPatch(patch, Enumerable.Repeat("container c: a warning with \"quotes\"", warnings).ToList())
            : AdmissionResult.Allow(Enumerable.Repeat("a warning", warnings).ToList());
        var response = AdmissionEndpoint.Response(Guid.NewGuid().ToString(), result);

        var written = AdmissionEndpoint.Serialize(response);

        Assert.That(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(written, out var segment), Is.True);
        Assert.That(segment.Array!.Length, Is.EqualTo(AdmissionEndpoint.EstimatedLength(response)), $"{written.Length} bytes written");
    }
}

/// <summary>The patch document's bytes, whether the builder's size estimate held (one buffer) or escaping outgrew it.</summary>
public sealed class WritePatchTests
{
    // Escaped HTML-unsafe characters and quotes double the text, past the estimate; the plain unit stays within it. Both
    // carry non-ASCII and a surrogate pair, short and long.
    [TestCase(10, "é😀<\"x", "é😀\\u003c\\\"x")]
    [TestCase(20_000, "é😀<\"x", "é😀\\u003c\\\"x")]
    [TestCase(10, "é😀x", "é😀x")]
    [TestCase(20_000, "é😀x", "é😀x")]
    public void Patch_IsGoEscapedUtf8_WhateverItsLength(int repeat, string unit, string escapedUnit)
    {
        var value = string.Concat(Enumerable.Repeat(unit, repeat));
        var expectedValue = string.Concat(Enumerable.Repeat(escapedUnit, repeat));

        var bytes = PodMutator.WritePatch([("/spec/hostname", value)], [("/metadata/labels", "{\"a\":\"b\"}")], ["{\"op\":\"remove\",\"path\":\"/x\"}"]);

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo(
            "[{\"op\":\"add\",\"path\":\"/spec/hostname\",\"value\":\"" + expectedValue + "\"},"
            + "{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"a\":\"b\"}},{\"op\":\"remove\",\"path\":\"/x\"}]"));
    }
}
