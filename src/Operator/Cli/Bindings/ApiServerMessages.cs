using System.Text;
using System.Text.Json;

namespace GmsaOperator.Operator.Cli.Bindings;

/// <summary>What the API server said, printed as kubectl prints it: refusals verbatim, and its warnings.</summary>
public static class ApiServerMessages
{
    private const int MaxBodyShown = 1024;

    /// <summary>
    /// <c>Error from server (Reason): message</c> from a Status body, the message unchanged (an admission webhook's
    /// denial is the user's answer); a body that is not a Status is shown as received, cut at 1 KiB.
    /// </summary>
    public static string Refusal(int statusCode, string? body)
    {
        if (body is { Length: > 0 })
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } text ? $" ({text})" : "";
                    return $"Error from server{reason}: {message.GetString()}";
                }
            }
            catch (JsonException)
            {
                // Not a Status: shown as text below.
            }
        }
        var shown = body is null ? "" : body.Length > MaxBodyShown ? body[..MaxBodyShown] + "…" : body;
        return $"error: the server answered HTTP {statusCode}{(shown.Length > 0 ? ": " + shown.Trim() : "")}";
    }

    /// <summary>The texts of RFC 7234 <c>Warning</c> header values (<c>299 - "text"</c>), as the API server sends admission warnings.</summary>
    public static IReadOnlyList<string> Warnings(IEnumerable<string> headerValues)
    {
        var texts = new List<string>();
        foreach (var value in headerValues)
        {
            // code SP agent SP quoted-text [SP quoted-date]
            var quote = value.IndexOf('"', StringComparison.Ordinal);
            if (quote < 0) continue;
            var text = new StringBuilder();
            for (var i = quote + 1; i < value.Length; i++)
            {
                if (value[i] == '\\' && i + 1 < value.Length) text.Append(value[++i]);
                else if (value[i] == '"') break;
                else text.Append(value[i]);
            }
            texts.Add(text.ToString());
        }
        return texts;
    }
}
