using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Webhooks.Http;

/// <summary>
/// The HTTP shell around an admission handler: POST only (405), JSON content type with optional parameters (415), a
/// body limit (413), malformed body or missing <c>request</c> → HTTP 400 with an AdmissionReview error (upstream's
/// texts: <see cref="Admission.AdmissionErrors.ReviewNotDecodable"/>, <see cref="Admission.AdmissionErrors.NoRequest"/>), otherwise HTTP 200 with the AdmissionReview. Logs uid, namespace, name, operation, decision and code only —
/// never objects or messages (which can quote credential contents).
/// </summary>
/// <param name="bodies">Bytes of bodies all requests may hold at once (null: not counted, for tests of other parts); see <see cref="AdmissionBodyReader"/>.</param>
public sealed partial class AdmissionEndpoint(ILogger<AdmissionEndpoint> logger, long maxRequestBodyBytes, TimeProvider? time = null, IAdmissionMetrics? metrics = null,
    BodyBudget? bodies = null)
{

    private readonly IAdmissionMetrics _metrics = metrics ?? NoAdmissionMetrics.Instance;

    /// <summary>Denial lines per second; beyond that they are counted (a flood of forged reviews is all denials).</summary>
    public const int DenialLogsPerSecond = 50;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly AdmissionBodyReader _bodies = new(maxRequestBodyBytes, bodies, time ?? TimeProvider.System);
    private readonly LogBudget _denialLogs = new(time ?? TimeProvider.System, DenialLogsPerSecond);
    private readonly LogBudget _overloadLogs = new(time ?? TimeProvider.System, 1);
    private readonly LogBudget _malformedLogs = new(time ?? TimeProvider.System, MalformedLogsPerSecond);

    /// <summary>Malformed-request lines per second; beyond that they are counted (anyone can send malformed requests as fast as they are answered).</summary>
    public const int MalformedLogsPerSecond = 10;

    private static readonly TimeSpan SlowDecision = TimeSpan.FromSeconds(1);

    public async Task HandleAsync(HttpContext context, string webhook, Func<AdmissionRequest, CancellationToken, ValueTask<AdmissionResult>> handler)
    {
        var http = context.Request;
        if (!HttpMethods.IsPost(http.Method))
        {
            _metrics.Reviewed(webhook, AdmissionOutcome.Malformed);
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }
        if (!IsJson(http.ContentType))
        {
            _metrics.Reviewed(webhook, AdmissionOutcome.Malformed);
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        if (http.ContentLength > maxRequestBodyBytes)
        {
            await WriteTooLargeAsync(context, webhook).ConfigureAwait(false);
            return;
        }

        AdmissionBodyReader.Body body;
        try
        {
            body = await _bodies.ReadAsync(context).ConfigureAwait(false);
        }
        catch (BodyTooLargeException)
        {
            await WriteTooLargeAsync(context, webhook).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteTooLargeAsync(context, webhook).ConfigureAwait(false);
            return;
        }
        catch (BodyOverloadedException)
        {
            await WriteOverloadedAsync(context, webhook).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or BodyTimeoutException || (e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // The request reached us but its body did not: with the API server as the caller, this is an admission it
            // refuses (failurePolicy Fail) with "context deadline exceeded", so say so here.
            var problem = e is BodyTimeoutException ? $"not received within {AdmissionBodyReader.Deadline.TotalSeconds:0} s" : e.GetType().Name;
            Malformed(webhook, $"request body not received ({problem}{(context.RequestAborted.IsCancellationRequested ? ", caller gave up" : "")})");
            if (context.RequestAborted.IsCancellationRequested) return;
            var message = e is BodyTimeoutException ? $"the request body did not arrive within {AdmissionBodyReader.Deadline.TotalSeconds:0} s" : e.Message;
            await WriteReviewAsync(context, StatusCodes.Status400BadRequest, Response("", AdmissionResult.Deny(AdmissionErrors.BodyUnreadable(message)))).ConfigureAwait(false);
            return;
        }
        using (body)
        {
            await DecideAsync(context, webhook, body.Bytes, handler).ConfigureAwait(false);
        }
    }

    private async Task DecideAsync(HttpContext context, string webhook, byte[] body, Func<AdmissionRequest, CancellationToken, ValueTask<AdmissionResult>> handler)
    {
        AdmissionReview? review;
        try
        {
            review = AdmissionReviewReader.Read(body);
        }
        catch (JsonException e)
        {
            Malformed(webhook, "not an AdmissionReview");
            await WriteReviewAsync(context, StatusCodes.Status400BadRequest, Response("", AdmissionResult.Deny(AdmissionErrors.ReviewNotDecodable(e.Message)))).ConfigureAwait(false);
            return;
        }
        if (review?.Request is not { } request)
        {
            Malformed(webhook, "no request");
            await WriteReviewAsync(context, StatusCodes.Status400BadRequest, Response("", AdmissionResult.Deny(AdmissionErrors.NoRequest()))).ConfigureAwait(false);
            return;
        }

        AdmissionResult result;
        var outcome = AdmissionOutcome.Denied;
        var started = _time.GetTimestamp();
        try
        {
            result = await handler(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // Default deny on doubt; the exception type is enough to find the bug without logging the object.
            LogFailed(logger, webhook, request.Uid, request.Namespace, request.Name, e.GetType().Name);
            result = AdmissionResult.Deny(500, $"internal error while admitting the request ({e.GetType().Name})");
            outcome = AdmissionOutcome.Error;
        }
        catch (OperationCanceledException)
        {
            LogSlow(logger, webhook, request.Uid, request.Namespace, request.Name, (long)_time.GetElapsedTime(started).TotalMilliseconds, true);
            throw;
        }

        // The API server gives up after the webhook's timeoutSeconds (5 s) and, with failurePolicy Fail, refuses the
        // object: a decision that took seconds is what explains such a refusal.
        var took = _time.GetElapsedTime(started);
        if (took >= SlowDecision) LogSlow(logger, webhook, request.Uid, request.Namespace, request.Name, (long)took.TotalMilliseconds, context.RequestAborted.IsCancellationRequested);

        _metrics.Reviewed(webhook, result.Allowed ? AdmissionOutcome.Allowed : outcome);
        // Denials are what an admin looks for; allowed decisions are per-pod noise on the hot path (Debug).
        if (result.Allowed) LogAllowed(logger, webhook, request.Uid, request.Namespace, request.Name, request.Operation, result.Code, result.Patch is not null);
        else if (_denialLogs.TryTake(out var heldBack))
        {
            if (heldBack > 0) LogDenialsHeldBack(logger, heldBack, DenialLogsPerSecond);
            LogDenied(logger, webhook, request.Uid, request.Namespace, request.Name, request.Operation, result.Code);
        }
        await WriteReviewAsync(context, StatusCodes.Status200OK, Response(request.Uid ?? "", result)).ConfigureAwait(false);
    }

    /// <summary><c>application/json</c>, with or without parameters such as <c>; charset=utf-8</c> (upstream rejects those).</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Longest message or warning sent back (characters). Texts quote names, operations and errors from the request,
    /// which a hostile body can make megabytes long; every real one is far shorter, and the API server shows them to a person.
    /// </summary>
    public const int MaxTextLength = 4096;

    public static AdmissionResponse Response(string uid, AdmissionResult result) => new()
    {
        Uid = uid,
        Allowed = result.Allowed,
        Status = result.Allowed ? null : new AdmissionStatus { Message = Bounded(result.Message), Code = result.Code },
        Patch = result.Patch,
        PatchType = result.Patch is null ? null : "JSONPatch",
        Warnings = result.Warnings.Count == 0 ? null : result.Warnings.Select(w => Bounded(w)!).ToList(),
    };

    private static string? Bounded(string? text)
    {
        if (text is null || text.Length <= MaxTextLength) return text;
        var keep = MaxTextLength - 40;
        if (char.IsHighSurrogate(text[keep - 1])) keep--; // never split a surrogate pair (the JSON writer rejects half of one)
        return string.Concat(text.AsSpan(0, keep), $"… ({text.Length - keep} more characters)");
    }

    private async Task WriteTooLargeAsync(HttpContext context, string webhook)
    {
        Malformed(webhook, "body too large");
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"request body exceeds the limit of {maxRequestBodyBytes} bytes", context.RequestAborted).ConfigureAwait(false);
    }

    private async Task WriteOverloadedAsync(HttpContext context, string webhook)
    {
        var capacity = _bodies.Capacity;
        _metrics.Reviewed(webhook, AdmissionOutcome.Overloaded);
        if (_overloadLogs.TryTake(out var heldBack)) LogOverloaded(logger, webhook, capacity, heldBack);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"admission request bodies in flight exceed the limit of {capacity} bytes (Webhooks:MaxInFlightBodyBytes); try again",
            context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteReviewAsync(HttpContext context, int statusCode, AdmissionResponse response)
    {
        var json = Serialize(response);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The review as UTF-8 JSON in a buffer of its own. Not <c>JsonSerializer.SerializeAsync</c>: its buffer comes from
    /// <c>ArrayPool.Shared</c> and grows to about 3× the longest string (a client-chosen uid is echoed verbatim), and the
    /// pool then keeps those 0.5–4 MiB arrays per core and per thread long after the request — under hostile traffic the
    /// heap grew with volume. This buffer is garbage once the response is written.
    /// </summary>
    public static ReadOnlyMemory<byte> Serialize(AdmissionResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>(EstimatedLength(response));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = WebhookJsonContext.Default.Options.Encoder }))
        {
            JsonSerializer.Serialize(writer, AdmissionReview.ForResponse(response), WebhookJsonContext.Default.AdmissionReview);
        }
        return buffer.WrittenMemory;
    }

    /// <summary>
    /// Room for the whole review, so the buffer is allocated once: once its first span is full, <c>Utf8JsonWriter</c>
    /// asks for at least 4 KiB more, and a patched answer (~1.5 KB) would cost a 1 KiB and a 5 KiB array. Before it
    /// writes a text it asks for room for its longest UTF-8 form (3 bytes per UTF-16 unit, after escaping), so texts count
    /// three times, with room for a few escapes; an underestimate only costs that growth.
    /// </summary>
    public static int EstimatedLength(AdmissionResponse response)
    {
        var length = 256 + Text(response.Uid) + (response.Patch?.Length ?? 0) * 4 / 3 + 4 + Text(response.Status?.Message);
        if (response.Warnings is { } warnings)
        {
            foreach (var warning in warnings) length += Text(warning);
        }
        return length;

        static int Text(string? text) => text is null ? 0 : text.Length * 3 + 16;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "admission {Webhook} uid={Uid} namespace={Namespace} name={Name} operation={Operation} allowed code={Code} patched={Patched}")]
    private static partial void LogAllowed(ILogger logger, string webhook, string? uid, string? @namespace, string? name, string? operation, int code, bool patched);

    [LoggerMessage(Level = LogLevel.Information, Message = "admission {Webhook} uid={Uid} namespace={Namespace} name={Name} operation={Operation} denied code={Code}")]
    private static partial void LogDenied(ILogger logger, string webhook, string? uid, string? @namespace, string? name, string? operation, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "admission: {Count} denials were not logged (at most {PerSecond} a second are)")]
    private static partial void LogDenialsHeldBack(ILogger logger, int count, int perSecond);

    [LoggerMessage(Level = LogLevel.Warning, Message = "admission {Webhook} uid={Uid} namespace={Namespace} name={Name}: the decision took {Milliseconds} ms (API server gave up: {Abandoned})")]
    private static partial void LogSlow(ILogger logger, string webhook, string? uid, string? @namespace, string? name, long milliseconds, bool abandoned);

    /// <summary>Counts a malformed request and logs it within <see cref="MalformedLogsPerSecond"/>.</summary>
    private void Malformed(string webhook, string problem)
    {
        _metrics.Reviewed(webhook, AdmissionOutcome.Malformed);
        if (_malformedLogs.TryTake(out var heldBack)) LogMalformed(logger, webhook, problem, heldBack);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "admission {Webhook}: rejected malformed request ({Problem}; {HeldBack} more since the last line)")]
    private static partial void LogMalformed(ILogger logger, string webhook, string problem, int heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "admission {Webhook}: refused a request with 503, request bodies in flight at the limit of {Capacity} bytes ({HeldBack} more refusals since the last line)")]
    private static partial void LogOverloaded(ILogger logger, string webhook, long capacity, int heldBack);

    [LoggerMessage(Level = LogLevel.Error, Message = "admission {Webhook} uid={Uid} namespace={Namespace} name={Name} failed with {ExceptionType}; denied")]
    private static partial void LogFailed(ILogger logger, string webhook, string? uid, string? @namespace, string? name, string exceptionType);
}
