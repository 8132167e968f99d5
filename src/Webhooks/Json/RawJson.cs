using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmsaOperator.Webhooks.Json;

/// <summary>
/// A JSON value of a request kept as the UTF-8 bytes it arrived in. Read through <see cref="AdmissionReviewReader"/>,
/// it is a slice of the request body (no copy); a handler that wants a DOM asks for <see cref="Element"/>, parsed once
/// on first use, while the pod handlers decode their typed view straight from <see cref="Utf8"/>.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed class RawJson
{
    private object? _element; // a boxed JsonElement: published whole, so a reader never sees half of one

    public RawJson(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    private RawJson(ReadOnlyMemory<byte> utf8, JsonElement element) : this(utf8) => _element = element;

    /// <summary>The value exactly as it was in the request (a valid JSON value).</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    public JsonElement Element => (JsonElement)(_element ??= JsonSerializer.Deserialize(Utf8.Span, WebhookJsonContext.Default.JsonElement));

    public static RawJson Of(JsonElement element) => new(JsonMarshal.GetRawUtf8Value(element).ToArray(), element);

    /// <summary>Null for no value or JSON <c>null</c>, as a request's <c>"object": null</c> reads.</summary>
    public static RawJson? OfValue(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value ? Of(value) : null;
}

/// <summary>
/// Reads a value as the byte range it spans in the buffer being deserialised (known only inside
/// <see cref="AdmissionReviewReader"/>, which deserialises one contiguous buffer, so the reader's positions are offsets
/// into it); anywhere else as a copy of its bytes. The reader validates the value as it skips it, as a DOM parse would.
/// </summary>
internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    [ThreadStatic] private static byte[]? t_buffer;

    /// <summary>Values read on this thread until disposed are slices of <paramref name="buffer"/>.</summary>
    internal static BufferScope Over(byte[] buffer)
    {
        t_buffer = buffer;
        return default;
    }

    internal readonly struct BufferScope : IDisposable
    {
        public void Dispose() => t_buffer = null;
    }

    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (t_buffer is { } buffer && !reader.HasValueSequence)
        {
            var start = checked((int)reader.TokenStartIndex);
            reader.Skip();
            var end = checked((int)reader.BytesConsumed);
            return new RawJson(new ReadOnlyMemory<byte>(buffer, start, end - start));
        }
        using var document = JsonDocument.ParseValue(ref reader);
        return RawJson.Of(document.RootElement.Clone());
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}

/// <summary>Decodes an AdmissionReview body with its objects as slices of the body (<see cref="RawJson"/>).</summary>
public static class AdmissionReviewReader
{
    public static AdmissionReview? Read(byte[] body)
    {
        using (RawJsonConverter.Over(body))
        {
            return JsonSerializer.Deserialize(body, WebhookJsonContext.Default.AdmissionReview);
        }
    }
}
