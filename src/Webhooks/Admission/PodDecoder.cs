using System.Text.Json;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>Decodes <c>request.object</c>/<c>oldObject</c> into the pod fields admission needs (<see cref="AdmissionErrors.PodNotDecodable"/> on failure).</summary>
public static class PodDecoder
{
    public static bool TryDecode(JsonElement? raw, out PodObject pod, out AdmissionError? error) => TryDecode(RawJson.OfValue(raw), out pod, out error);

    /// <summary>Straight from the request's bytes: no DOM of the pod is built.</summary>
    public static bool TryDecode(RawJson? raw, out PodObject pod, out AdmissionError? error)
    {
        pod = new PodObject();
        error = null;
        if (raw is null || raw.Utf8.Span.SequenceEqual("null"u8))
        {
            // Go's json.Unmarshal of an empty RawExtension (what a null object becomes).
            error = AdmissionErrors.PodNotDecodable("unexpected end of JSON input");
            return false;
        }
        try
        {
            pod = JsonSerializer.Deserialize(raw.Utf8.Span, WebhookJsonContext.Default.PodObject) ?? new PodObject();
            return true;
        }
        catch (JsonException e)
        {
            error = AdmissionErrors.PodNotDecodable(e.Message);
            return false;
        }
    }
}
