using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GmsaOperator.IntegrationTests.Reliability;

/// <summary>Generates hostile AdmissionReview bodies from valid ones, deterministically from a seed.</summary>
internal sealed class AdmissionFuzzer(int seed)
{
    public const int HugeLimitBytes = 3 * 1024 * 1024;
    private readonly Random _random = new(seed);

    public enum Kind { Truncated, WrongType, HugeString, DeepNesting, DuplicateKeys, InvalidUtf8, UnknownOperation, RandomBytes, Valid }

    public (Kind Kind, byte[] Body) Next(bool allowOversized)
    {
        var kind = (Kind)_random.Next(Enum.GetValues<Kind>().Length);
        var valid = ValidReview();
        return (kind, kind switch
        {
            Kind.Truncated => Truncate(valid),
            Kind.WrongType => WrongType(valid),
            Kind.HugeString => HugeString(valid, allowOversized),
            Kind.DeepNesting => DeepNesting(),
            Kind.DuplicateKeys => DuplicateKeys(valid),
            Kind.InvalidUtf8 => InvalidUtf8(valid),
            Kind.UnknownOperation => UnknownOperation(valid),
            Kind.RandomBytes => RandomBytes(),
            _ => Encoding.UTF8.GetBytes(valid.ToJsonString()),
        });
    }

    private JsonObject ValidReview()
    {
        var windows = new JsonObject { ["gmsaCredentialSpecName"] = Pick("webapp1", "missing", "") };
        if (_random.Next(2) == 0) windows["gmsaCredentialSpec"] = """{"CmsPlugins":["ActiveDirectory"]}""";
        var isBinding = _random.Next(4) == 0;
        JsonNode obj = isBinding
            ? new JsonObject
            {
                ["apiVersion"] = "gmsa.dev/v1alpha1", ["kind"] = "GmsaBinding", ["metadata"] = new JsonObject { ["name"] = "b", ["namespace"] = "fuzz" },
                ["spec"] = new JsonObject { ["credentialSpecName"] = "webapp1", ["serviceAccounts"] = new JsonArray("default") },
            }
            : new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "fuzz" },
                ["spec"] = new JsonObject
                {
                    ["serviceAccountName"] = "default",
                    ["securityContext"] = new JsonObject { ["windowsOptions"] = windows },
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i", ["securityContext"] = new JsonObject { ["windowsOptions"] = windows.DeepClone() } }),
                },
            };
        return new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/v1",
            ["request"] = new JsonObject
            {
                ["uid"] = Guid.NewGuid().ToString(),
                ["kind"] = new JsonObject { ["group"] = isBinding ? "gmsa.dev" : "", ["version"] = isBinding ? "v1alpha1" : "v1", ["kind"] = isBinding ? "GmsaBinding" : "Pod" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = isBinding ? "gmsabindings" : "pods" },
                ["namespace"] = "fuzz",
                ["name"] = "web",
                ["operation"] = Pick("CREATE", "UPDATE"),
                ["userInfo"] = new JsonObject { ["username"] = "fuzzer", ["groups"] = new JsonArray("system:authenticated") },
                ["object"] = obj,
                ["oldObject"] = _random.Next(2) == 0 ? obj.DeepClone() : null,
                ["dryRun"] = false,
            },
        };
    }

    private byte[] Truncate(JsonObject valid)
    {
        var bytes = Encoding.UTF8.GetBytes(valid.ToJsonString());
        return bytes[.._random.Next(bytes.Length)];
    }

    /// <summary>Replaces one node anywhere in the tree (every field is a candidate) with a value of another type.</summary>
    private byte[] WrongType(JsonObject valid)
    {
        var nodes = new List<JsonNode>();
        void Walk(JsonNode? n)
        {
            if (n is null) return;
            if (n.Parent is not null) nodes.Add(n);
            if (n is JsonObject o) foreach (var (_, v) in o.ToList()) Walk(v);
            if (n is JsonArray a) foreach (var v in a.ToList()) Walk(v);
        }
        Walk(valid);
        var target = nodes[_random.Next(nodes.Count)];
        JsonNode? replacement = _random.Next(7) switch
        {
            0 => JsonValue.Create(_random.Next()),
            1 => JsonValue.Create(-1.5e308),
            2 => JsonValue.Create(_random.Next(2) == 0),
            3 => null,
            4 => new JsonArray(1, "x", null),
            5 => new JsonObject { ["unexpected"] = new JsonObject() },
            _ => JsonValue.Create("\u0000\ud7ff\u2028 \"'\\"),
        };
        target.ReplaceWith(replacement);
        return Encoding.UTF8.GetBytes(valid.ToJsonString());
    }

    /// <summary>
    /// One field becomes a run of a single letter (1 KiB–256 KiB, or 1 in 20 just over the body limit). The run is spliced
    /// into the serialized review instead of being serialized: <c>Utf8JsonWriter</c> would rent 3 bytes per char (up to
    /// 16 MiB for an oversized body) from <c>ArrayPool.Shared</c>, whose per-thread caches then keep those arrays in every
    /// worker thread that ever generated one — in this process, which is also the one whose heap the test measures.
    /// </summary>
    private byte[] HugeString(JsonObject valid, bool allowOversized)
    {
        const string Placeholder = "HUGE-STRING-PLACEHOLDER";
        var size = allowOversized && _random.Next(20) == 0 ? HugeLimitBytes + _random.Next(1024 * 1024) : _random.Next(1024, 256 * 1024);
        var letter = (byte)('a' + _random.Next(26));
        var request = valid["request"]!.AsObject();
        switch (_random.Next(4))
        {
            case 0: request["uid"] = Placeholder; break;
            case 1: request["object"]!["metadata"]!["name"] = Placeholder; break;
            case 2: request["operation"] = Placeholder; break;
            default:
                var spec = request["object"]!["spec"]!.AsObject();
                if (spec["securityContext"]?["windowsOptions"] is JsonObject w) w["gmsaCredentialSpec"] = Placeholder;
                else spec["credentialSpecName"] = Placeholder;
                break;
        }
        var json = Encoding.UTF8.GetBytes(valid.ToJsonString());
        var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Placeholder));
        var body = new byte[json.Length - Placeholder.Length + size];
        json.AsSpan(0, at).CopyTo(body);
        body.AsSpan(at, size).Fill(letter);
        json.AsSpan(at + Placeholder.Length).CopyTo(body.AsSpan(at + size));
        return body;
    }

    private byte[] DeepNesting()
    {
        var depth = _random.Next(2) == 0 ? _random.Next(10, 200) : _random.Next(1000, 200_000);
        var (open, close) = _random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        var sb = new StringBuilder("""{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","kind":{"kind":"Pod"},"operation":"CREATE","object":""");
        for (var i = 0; i < depth; i++) sb.Append(open);
        sb.Append("1");
        if (_random.Next(3) > 0) for (var i = 0; i < depth; i++) sb.Append(close); // sometimes left unclosed
        sb.Append("}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private byte[] DuplicateKeys(JsonObject valid)
    {
        var json = valid.ToJsonString();
        var duplicate = Pick(
            "\"request\":{\"uid\":\"dup\",\"operation\":\"DELETE\"},",
            "\"kind\":\"Other\",",
            "\"apiVersion\":1,");
        // After the opening brace of the review, and once more inside the request object.
        json = "{" + duplicate + json[1..];
        var inner = json.IndexOf("\"request\":{", 2, StringComparison.Ordinal);
        if (inner > 0 && _random.Next(2) == 0) json = json.Insert(inner + "\"request\":{".Length, "\"operation\":\"CONNECT\",\"uid\":\"x\",\"object\":{},");
        return Encoding.UTF8.GetBytes(json);
    }

    private byte[] InvalidUtf8(JsonObject valid)
    {
        var bytes = Encoding.UTF8.GetBytes(valid.ToJsonString()).ToList();
        byte[][] bad = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF0, 0x28, 0x8C, 0x28], [0xC0, 0xAF], [0x80]];
        for (var i = 0; i < 1 + _random.Next(3); i++)
        {
            // Inside a string value: right after a quote that follows a colon.
            var at = bytes.IndexOf((byte)':', _random.Next(bytes.Count));
            var position = at >= 0 && at + 1 < bytes.Count && bytes[at + 1] == (byte)'"' ? at + 2 : _random.Next(bytes.Count);
            bytes.InsertRange(position, bad[_random.Next(bad.Length)]);
        }
        return [.. bytes];
    }

    private byte[] UnknownOperation(JsonObject valid)
    {
        valid["request"]!["operation"] = Pick("DELETE", "CONNECT", "", "create", "PATCH", "UPDATE\u0000", new string('X', 300), "🙂");
        return Encoding.UTF8.GetBytes(valid.ToJsonString());
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(1, 4096)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string Pick(params string[] options) => options[_random.Next(options.Length)];

    /// <summary>A well-formed AdmissionReview response: kind, apiVersion, response.uid (string) and response.allowed (bool).</summary>
    public static string? CheckReview(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.GetProperty("kind").GetString() != "AdmissionReview") return "kind is not AdmissionReview";
            if (root.GetProperty("apiVersion").GetString() != "admission.k8s.io/v1") return "wrong apiVersion";
            var response = root.GetProperty("response");
            if (response.GetProperty("uid").ValueKind != JsonValueKind.String) return "response.uid is not a string";
            if (response.GetProperty("allowed").ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return "response.allowed is not a bool";
            return null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"not a well-formed AdmissionReview: {e.Message}";
        }
    }
}
