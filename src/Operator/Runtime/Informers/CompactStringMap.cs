using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// A string→string map kept as one array of alternating keys and values, looked up linearly: labels and annotations
/// have a handful of entries, and a <see cref="Dictionary{TKey,TValue}"/> costs ~200 bytes of buckets and entries for
/// even one. Cached objects hold tens of thousands of these. Fully mutable; keys are compared ordinally.
/// </summary>
public sealed class CompactStringMap : IDictionary<string, string>, IReadOnlyDictionary<string, string>
{
    private string[] _items;
    private int _count;

    public CompactStringMap(int capacity = 0) => _items = capacity == 0 ? [] : new string[capacity * 2];

    public int Count => _count;

    public bool IsReadOnly => false;

    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The key '{key}' is not in the map.");
        set
        {
            var i = IndexOf(key);
            if (i >= 0) _items[i + 1] = value;
            else Append(key, value);
        }
    }

    public ICollection<string> Keys => [.. Pairs().Select(p => p.Key)];

    public ICollection<string> Values => [.. Pairs().Select(p => p.Value)];

    IEnumerable<string> IReadOnlyDictionary<string, string>.Keys => Keys;

    IEnumerable<string> IReadOnlyDictionary<string, string>.Values => Values;

    public void Add(string key, string value)
    {
        if (IndexOf(key) >= 0) throw new ArgumentException($"An item with the key '{key}' has already been added.", nameof(key));
        Append(key, value);
    }

    public void Add(KeyValuePair<string, string> item) => Add(item.Key, item.Value);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool Contains(KeyValuePair<string, string> item) => TryGetValue(item.Key, out var value) && value == item.Value;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _items[i + 1] : null;
        return i >= 0;
    }

    public bool Remove(string key)
    {
        var i = IndexOf(key);
        if (i < 0) return false;
        var last = (_count - 1) * 2;
        Array.Copy(_items, i + 2, _items, i, last - i);
        _items[last] = _items[last + 1] = null!;
        _count--;
        return true;
    }

    public bool Remove(KeyValuePair<string, string> item) => Contains(item) && Remove(item.Key);

    public void Clear()
    {
        Array.Clear(_items);
        _count = 0;
    }

    public void CopyTo(KeyValuePair<string, string>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (arrayIndex < 0 || array.Length - arrayIndex < _count) throw new ArgumentException("The array is too small.", nameof(array));
        foreach (var pair in Pairs()) array[arrayIndex++] = pair;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Pairs().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<KeyValuePair<string, string>> Pairs()
    {
        for (var i = 0; i < _count * 2; i += 2) yield return new(_items[i], _items[i + 1]);
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _count * 2; i += 2)
        {
            if (string.Equals(_items[i], key, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    private void Append(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_count * 2 == _items.Length) Array.Resize(ref _items, Math.Max(2, _items.Length * 2));
        _items[_count * 2] = key;
        _items[_count * 2 + 1] = value;
        _count++;
    }

    /// <summary>Trims the array to the entries held (decoded maps are not grown again).</summary>
    internal void TrimExcess()
    {
        if (_items.Length > _count * 2) Array.Resize(ref _items, _count * 2);
    }

    /// <summary>Decodes JSON objects of strings into <see cref="CompactStringMap"/>s, keys and values read by <paramref name="strings"/>.</summary>
    internal sealed class Converter(JsonConverter<string> strings) : JsonConverter<IDictionary<string, string>>
    {
        public override IDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return null;
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"Expected an object of strings, found {reader.TokenType}.");
            var map = new CompactStringMap(4);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = strings.ReadAsPropertyName(ref reader, typeof(string), options);
                if (!reader.Read()) throw new JsonException("Truncated object of strings.");
                var value = reader.TokenType switch
                {
                    JsonTokenType.String => strings.Read(ref reader, typeof(string), options) ?? "",
                    JsonTokenType.Null => null,
                    _ => throw new JsonException($"Expected a string value for '{key}', found {reader.TokenType}."),
                };
                // Go's encoding/json keeps the last of duplicate keys; so does this.
                map[key] = value!;
            }
            map.TrimExcess();
            return map;
        }

        public override void Write(Utf8JsonWriter writer, IDictionary<string, string> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (k, v) in value) writer.WriteString(k, v);
            writer.WriteEndObject();
        }
    }
}
