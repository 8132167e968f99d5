using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>Request objects kept as the bytes they arrived in: slices of the body, decoded as before.</summary>
public sealed class RawJsonTests
{
    private const string Pod = """{ "metadata": {"name":"p\u00e9","labels":{"a":"b"}}, "spec": {"serviceAccountName":"sa","containers":[{"name":"c","securityContext":{"windowsOptions":{"gmsaCredentialSpecName":"webapp1"}}}]} }""";

    private static byte[] Review(string objectJson, string? oldObjectJson = null) => Encoding.UTF8.GetBytes(
        """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"UPDATE","object":"""
        + objectJson + (oldObjectJson is null ? "" : ",\"oldObject\":" + oldObjectJson) + ""","dryRun":false}}""");

    [Test]
    public void ReadFromABody_ObjectsAreSlicesOfThatBody_ByteForByte()
    {
        var body = Review(Pod, """ "not an object" """);

        var request = AdmissionReviewReader.Read(body)!.Request!;

        Assert.Multiple(() =>
        {
            Assert.That(MemoryMarshal.TryGetArray(request.RawObject!.Utf8, out var segment), Is.True);
            Assert.That(segment.Array, Is.SameAs(body), "no copy of the object");
            Assert.That(Encoding.UTF8.GetString(request.RawObject.Utf8.Span), Is.EqualTo(Pod));
            Assert.That(Encoding.UTF8.GetString(request.RawOldObject!.Utf8.Span), Is.EqualTo("\"not an object\""), "a string value with its quotes");
            Assert.That(request.DryRun, Is.False, "the rest of the request is read after the objects");
            Assert.That(request.Object!.Value.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("pé"));
        });
    }

    [Test]
    public void ReadElsewhere_ObjectsAreCopies_WithTheSameBytes()
    {
        var body = Review(Pod);
        var request = JsonSerializer.Deserialize(body, WebhookJsonContext.Default.AdmissionReview)!.Request!;

        Assert.That(MemoryMarshal.TryGetArray(request.RawObject!.Utf8, out var segment) && ReferenceEquals(segment.Array, body), Is.False);
        Assert.That(Encoding.UTF8.GetString(request.RawObject.Utf8.Span), Is.EqualTo(Pod));
    }

    [Test]
    public void ABodyReadAfterwards_OnTheSameThread_IsNotSlicedFromTheEarlierOne()
    {
        AdmissionReviewReader.Read(Review("{}"));
        var request = JsonSerializer.Deserialize(Review(Pod), WebhookJsonContext.Default.AdmissionReview)!.Request!;

        Assert.That(Encoding.UTF8.GetString(request.RawObject!.Utf8.Span), Is.EqualTo(Pod));
    }

    [Test]
    public void NullOrMissingObject_IsNull_AndThePodIsNotDecodable()
    {
        var request = AdmissionReviewReader.Read(Review("null"))!.Request!;

        Assert.Multiple(() =>
        {
            Assert.That(request.RawObject, Is.Null);
            Assert.That(request.RawOldObject, Is.Null);
            Assert.That(PodDecoder.TryDecode(request.RawObject, out _, out var error), Is.False);
            Assert.That(error!.Message, Does.Contain("unexpected end of JSON input"));
        });
    }

    [TestCase("""{"metadata":}""")]
    [TestCase("""{"metadata":{}""")]
    [TestCase("""{"a":[1,2}""")]
    public void MalformedObject_TheReviewIsNotDecodable_WithTheMessageADomParseGives(string objectJson)
    {
        var sliced = Assert.Catch<JsonException>(() => AdmissionReviewReader.Read(Review(objectJson)))!;
        var parsed = Assert.Catch<JsonException>(() => JsonSerializer.Deserialize(Review(objectJson), WebhookJsonContext.Default.AdmissionReview))!;

        Assert.That(sliced.Message, Is.EqualTo(parsed.Message));
    }

    [Test]
    public void NestedBeyondTheLimit_TheReviewIsNotDecodable_AsWithADom()
    {
        var deep = new string('[', 300) + new string(']', 300);

        Assert.Throws(Is.InstanceOf<JsonException>(), () => AdmissionReviewReader.Read(Review(deep)));
        Assert.Throws(Is.InstanceOf<JsonException>(), () => JsonSerializer.Deserialize(Review(deep), WebhookJsonContext.Default.AdmissionReview));
    }

    [TestCase(Pod)]
    [TestCase("""{"spec":{"containers":"x"}}""")]
    [TestCase("5")]
    [TestCase("[]")]
    public void ThePodDecodesFromTheSliceAsFromADom(string objectJson)
    {
        var request = AdmissionReviewReader.Read(Review(objectJson))!.Request!;

        var fromSlice = PodDecoder.TryDecode(request.RawObject, out var slicePod, out var sliceError);
        var fromDom = PodDecoder.TryDecode(JsonDocument.Parse(objectJson).RootElement, out var domPod, out var domError);

        Assert.Multiple(() =>
        {
            Assert.That(fromSlice, Is.EqualTo(fromDom));
            Assert.That(sliceError?.Message, Is.EqualTo(domError?.Message));
            Assert.That(JsonSerializer.Serialize(slicePod, WebhookJsonContext.Default.PodObject), Is.EqualTo(JsonSerializer.Serialize(domPod, WebhookJsonContext.Default.PodObject)));
        });
    }

    [Test]
    public void WrittenBack_TheObjectIsTheBytesItArrivedIn()
    {
        var review = AdmissionReviewReader.Read(Review(Pod))!;

        var written = JsonSerializer.Serialize(review, WebhookJsonContext.Default.AdmissionReview);

        Assert.That(written, Does.Contain("\"object\":" + Pod));
    }
}
