using System.Text;
using System.Text.Json;

namespace GmsaOperator.TestSupport;

/// <summary>
/// AdmissionReview bodies as anyone who reaches the webhook port could POST them: the API server never sent them, so
/// nothing it validates (names, list sizes, nesting) holds.
/// </summary>
public static class ForgedReviews
{
    /// <summary>A pod CREATE for <c>/validate</c>: pod-level credspec name and optional contents, under any service account.</summary>
    public static byte[] Pod(string uid, string ns, string serviceAccount, string credSpecName, string? contents = null) => Review(uid, ns, "Pod", w =>
    {
        w.WriteString("apiVersion", "v1");
        w.WriteString("kind", "Pod");
        w.WriteStartObject("metadata");
        w.WriteString("name", "forged");
        w.WriteEndObject();
        w.WriteStartObject("spec");
        w.WriteString("serviceAccountName", serviceAccount);
        w.WriteStartObject("securityContext");
        w.WriteStartObject("windowsOptions");
        w.WriteString("gmsaCredentialSpecName", credSpecName);
        if (contents is not null) w.WriteString("gmsaCredentialSpec", contents);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("containers");
        w.WriteStartObject();
        w.WriteString("name", "c");
        w.WriteString("image", "iis");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }, user: null);

    /// <summary>A GmsaBinding CREATE for <c>/validate-gmsabinding</c> by any user with any groups.</summary>
    public static byte[] Binding(string uid, string ns, string username, IEnumerable<string> groups, string credSpecName, IEnumerable<string> serviceAccounts) =>
        Review(uid, ns, "GmsaBinding", w =>
        {
            w.WriteString("apiVersion", "gmsa.dev/v1alpha1");
            w.WriteString("kind", "GmsaBinding");
            w.WriteStartObject("metadata");
            w.WriteString("name", "forged");
            w.WriteString("namespace", ns);
            w.WriteEndObject();
            w.WriteStartObject("spec");
            w.WriteString("credentialSpecName", credSpecName);
            w.WriteStartArray("serviceAccounts");
            foreach (var account in serviceAccounts) w.WriteStringValue(account);
            w.WriteEndArray();
            w.WriteEndObject();
        }, (username, groups));

    /// <summary>A JSON object nested <paramref name="depth"/> levels deep.</summary>
    public static string Nested(int depth) => "{\"a\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}";

    private static byte[] Review(string uid, string ns, string kind, Action<Utf8JsonWriter> writeObject, (string Name, IEnumerable<string> Groups)? user)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("kind", "AdmissionReview");
            w.WriteString("apiVersion", "admission.k8s.io/v1");
            w.WriteStartObject("request");
            w.WriteString("uid", uid);
            w.WriteStartObject("kind");
            w.WriteString("group", kind == "Pod" ? "" : "gmsa.dev");
            w.WriteString("version", kind == "Pod" ? "v1" : "v1alpha1");
            w.WriteString("kind", kind);
            w.WriteEndObject();
            w.WriteString("namespace", ns);
            w.WriteString("operation", "CREATE");
            w.WriteStartObject("userInfo");
            w.WriteString("username", user?.Name ?? "system:serviceaccount:kube-system:replicaset-controller");
            w.WriteStartArray("groups");
            foreach (var group in user?.Groups ?? ["system:serviceaccounts", "system:authenticated"]) w.WriteStringValue(group);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("object");
            writeObject(w);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The decision in a well-formed v1 review answer: (allowed, status code, message), or null when it is not one.</summary>
    public static (bool Allowed, int Code, string Message)? Decision(byte[] answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.GetProperty("kind").GetString() != "AdmissionReview" || root.GetProperty("apiVersion").GetString() != "admission.k8s.io/v1") return null;
            var response = root.GetProperty("response");
            if (response.GetProperty("uid").ValueKind != JsonValueKind.String) return null;
            var allowed = response.GetProperty("allowed").GetBoolean();
            var status = response.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
            var code = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("code", out var c) ? c.GetInt32() : 200;
            var message = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            return (allowed, code, message);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>A distinct string of exactly <paramref name="length"/> characters that is a valid object name.</summary>
    public static string DistinctName(long counter, int length)
    {
        var prefix = $"f{counter}-";
        return new StringBuilder(prefix, length).Append('a', length - prefix.Length).ToString();
    }
}
