using System.Text.Json.Serialization;
using GmsaOperator.Webhooks.Admission;

namespace GmsaOperator.Webhooks.Json;

/// <summary>Source-generated serialisation for everything on the admission hot path (no per-request reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = 256)]
[JsonSerializable(typeof(AdmissionReview))]
[JsonSerializable(typeof(PodObject))]
[JsonSerializable(typeof(GmsaBindingObject))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
public sealed partial class WebhookJsonContext : JsonSerializerContext;
