using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// Decodes JSON arrays declared <see cref="IList{T}"/> into arrays of exactly their length. The default decoding makes a
/// <see cref="List{T}"/>: a second object and a backing array grown in steps of 4, 8, …, so the one-element lists that
/// cached objects are full of (owner references, subjects, rule verbs, finalizers) cost 88 bytes instead of 32. Cached
/// objects are never mutated (writers work on copies), so the lists need not grow; an attempt to add to one fails
/// loudly instead of changing what every reader of the cache sees.
/// </summary>
internal sealed class ExactListConverter<T>(JsonConverter<T>? elements = null) : JsonConverter<IList<T>>
{
    public override IList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"Expected an array, found {reader.TokenType}.");
        var info = elements is null ? (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)) : null;
        // Most lists of cached objects hold one or two items: fill a small array, grow only past it.
        var items = new T[4];
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var item = info is not null ? JsonSerializer.Deserialize(ref reader, info)
                : reader.TokenType == JsonTokenType.Null ? default : elements!.Read(ref reader, typeof(T), options);
            if (count == items.Length) Array.Resize(ref items, count * 2);
            items[count++] = item!;
        }
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("Truncated array.");
        if (count == 0) return Array.Empty<T>();
        if (count != items.Length) Array.Resize(ref items, count);
        return items;
    }

    public override void Write(Utf8JsonWriter writer, IList<T> value, JsonSerializerOptions options)
    {
        var info = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        writer.WriteStartArray();
        foreach (var item in value) JsonSerializer.Serialize(writer, item, info);
        writer.WriteEndArray();
    }
}
