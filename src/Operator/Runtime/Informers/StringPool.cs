using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// One shared instance per distinct short string of the cached objects: namespaces, label keys and values, kinds,
/// API groups, role names repeat across thousands of objects, and each decoded copy would cost its own allocation.
/// Bounded in entries and length; once full it starts over empty, so whatever objects arrive the pool never grows past
/// its bound, and strings of objects long deleted (a cluster churns) do not keep the strings of today's objects from
/// being shared. Starting over unshares nothing already decoded; strings decoded afterwards are pooled anew.
/// </summary>
public sealed class StringPool(int maxEntries = 65_536, int maxLength = 64)
{
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Lock _startOver = new();

    // ConcurrentDictionary.Count takes every lock; the bound is checked on every miss, so it keeps its own count.
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The pooled string equal to <paramref name="utf8"/>, or null when it is too long to pool.</summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        // UTF-8 never has fewer bytes than UTF-16 has chars, so this bound also bounds the stack buffer.
        if (utf8.Length > maxLength || IsUnique(utf8)) return null;
        Span<char> chars = stackalloc char[maxLength];
        if (!Encoding.UTF8.TryGetChars(utf8, chars, out var length)) return null;
        var span = chars[..length];
        if (_strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(span, out var pooled)) return pooled;
        var created = new string(span);
        if (Count >= maxEntries)
        {
            lock (_startOver)
            {
                if (Count >= maxEntries)
                {
                    _strings.Clear();
                    Volatile.Write(ref _count, 0);
                }
            }
        }
        if (!_strings.TryAdd(created, created)) return _strings.GetValueOrDefault(created, created);
        Interlocked.Increment(ref _count);
        return created;
    }

    /// <summary>UIDs and resourceVersions never repeat across objects: pooling them would only fill the pool.</summary>
    private static bool IsUnique(ReadOnlySpan<byte> utf8) =>
        (utf8.Length > 0 && !utf8.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        || (utf8.Length == 36 && utf8[8] == '-' && utf8[13] == '-' && utf8[18] == '-' && utf8[23] == '-');

    /// <summary>
    /// Serializer options that decode every short string through this pool (property names of maps included), string
    /// maps (labels, annotations) as <see cref="CompactStringMap"/>s, and the lists that metadata, status and RBAC
    /// objects hold as arrays of their exact length (<see cref="ExactListConverter{T}"/>).
    /// </summary>
    public JsonSerializerOptions DecodingOptions(JsonSerializerOptions baseOptions)
    {
        var options = new JsonSerializerOptions(baseOptions);
        var strings = new Converter(this);
        options.Converters.Insert(0, strings);
        options.Converters.Insert(1, new CompactStringMap.Converter(strings));
        options.Converters.Insert(2, new ExactListConverter<string>(strings));
        options.Converters.Insert(3, new ExactListConverter<V1OwnerReference>());
        options.Converters.Insert(4, new ExactListConverter<V1Condition>());
        options.Converters.Insert(5, new ExactListConverter<Rbacv1Subject>());
        options.Converters.Insert(6, new ExactListConverter<V1PolicyRule>());
        return options;
    }

    private sealed class Converter(StringPool pool) : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String && reader.TokenType != JsonTokenType.PropertyName)
            {
                throw new JsonException($"Expected a string, found {reader.TokenType}.");
            }
            return reader.HasValueSequence || reader.ValueIsEscaped ? reader.GetString() : pool.Get(reader.ValueSpan) ?? reader.GetString();
        }

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Read(ref reader, typeToConvert, options) ?? "";

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
    }
}
