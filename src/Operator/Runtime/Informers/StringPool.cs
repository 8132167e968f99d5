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
    private const int InitialSlots = 256;

    // An open-addressing set of the strings themselves, at most half full: a pooled string costs its slot (8 bytes, 16 at
    // worst) and no entry object of its own. A dictionary spent ~56 bytes and one more heap object per entry on top of the
    // string, over 4 MB with the pool full. Probing hashes with string's per-process randomized hash, so names chosen to
    // collide cannot be precomputed.
    private readonly Lock _lock = new();
    private string?[] _slots = new string?[InitialSlots];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The pooled string equal to <paramref name="utf8"/>, or null when it is too long to pool.</summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        // UTF-8 never has fewer bytes than UTF-16 has chars, so this bound also bounds the stack buffer.
        if (utf8.Length > maxLength || IsUnique(utf8)) return null;
        Span<char> chars = stackalloc char[maxLength];
        if (!Encoding.UTF8.TryGetChars(utf8, chars, out var length)) return null;
        ReadOnlySpan<char> span = chars[..length];
        var hash = (uint)string.GetHashCode(span);
        lock (_lock)
        {
            var slot = Find(_slots, span, hash);
            if (_slots[slot] is { } pooled) return pooled;
            if (_count >= maxEntries)
            {
                _slots = new string?[InitialSlots];
                Volatile.Write(ref _count, 0);
                slot = Find(_slots, span, hash);
            }
            else if ((_count + 1) * 2 > _slots.Length)
            {
                _slots = Grown(_slots);
                slot = Find(_slots, span, hash);
            }
            var created = new string(span);
            _slots[slot] = created;
            Volatile.Write(ref _count, _count + 1);
            return created;
        }
    }

    /// <summary>The slot holding <paramref name="span"/>, else the empty slot where it belongs (the table is never full).</summary>
    private static int Find(string?[] slots, ReadOnlySpan<char> span, uint hash)
    {
        var mask = slots.Length - 1;
        var i = (int)(hash & (uint)mask);
        while (slots[i] is { } candidate && !span.SequenceEqual(candidate)) i = (i + 1) & mask;
        return i;
    }

    private static string?[] Grown(string?[] slots)
    {
        var grown = new string?[slots.Length * 2];
        foreach (var s in slots)
        {
            if (s is not null) grown[Find(grown, s, (uint)string.GetHashCode(s.AsSpan()))] = s;
        }
        return grown;
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
