using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// Decodes a Kubernetes list response (<c>{"metadata":{…},"items":[…]}</c>) from a stream one item at a time: only the
/// item being decoded is buffered, so a list of any length costs the objects it yields plus a buffer the size of its
/// largest item, never the whole document.
/// </summary>
public static class ListStreamReader
{
    private const int InitialBuffer = 64 * 1024;

    /// <summary>The list's own metadata.</summary>
    public sealed record ListMetadata(string ResourceVersion, string? Continue);

    public static async Task<ListMetadata> ReadAsync<T>(Stream stream, JsonTypeInfo<T> itemType, Action<T> onItem, CancellationToken cancellationToken)
    {
        var parser = new Parser<T>(itemType, onItem);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            int start = 0, end = 0;
            var endOfStream = false;
            while (!endOfStream)
            {
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    // One item is larger than the buffer: grow it (items are bounded by the API server's object size limit).
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, end).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
                endOfStream = read == 0;
                end += read;
                start += parser.Consume(buffer.AsSpan(start, end - start), endOfStream);
            }
            if (!parser.Done) throw new JsonException("The list response ended before its closing brace.");
            return new ListMetadata(parser.ResourceVersion, parser.Continue);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Resumable parser state; <see cref="Consume"/> reads whole tokens and items and reports how much it used.</summary>
    private sealed class Parser<T>(JsonTypeInfo<T> itemType, Action<T> onItem)
    {
        private enum Property { None, Items, Metadata, Other }

        private JsonReaderState _state;
        private Property _property;
        private bool _inItems;

        public bool Done { get; private set; }

        public string ResourceVersion { get; private set; } = "";

        public string? Continue { get; private set; }

        public int Consume(ReadOnlySpan<byte> data, bool isFinalBlock)
        {
            var reader = new Utf8JsonReader(data, isFinalBlock, _state);
            while (true)
            {
                var checkpoint = reader;
                if (!reader.Read())
                {
                    reader = checkpoint;
                    break;
                }
                if (Done) throw new JsonException("The list response has content after its closing brace.");
                if (!Step(ref reader))
                {
                    // The value starting here is not complete yet: resume before it once more data arrived.
                    reader = checkpoint;
                    break;
                }
            }
            _state = reader.CurrentState;
            return (int)reader.BytesConsumed;
        }

        /// <summary>Handles the token just read; false when it starts a value that is not wholly in the buffer.</summary>
        private bool Step(ref Utf8JsonReader reader)
        {
            var depth = reader.CurrentDepth;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject when depth == 0:
                    return true;
                case JsonTokenType.EndObject when depth == 0:
                    Done = true;
                    return true;
                case JsonTokenType.PropertyName when depth == 1:
                    _property = reader.ValueTextEquals("items"u8) ? Property.Items : reader.ValueTextEquals("metadata"u8) ? Property.Metadata : Property.Other;
                    return true;
                case JsonTokenType.StartArray when depth == 1 && _property == Property.Items:
                    _inItems = true;
                    return true;
                case JsonTokenType.EndArray when depth == 1 && _inItems:
                    _inItems = false;
                    return true;
                case JsonTokenType.StartObject when depth == 2 && _inItems:
                    if (!Complete(reader)) return false;
                    onItem(JsonSerializer.Deserialize(ref reader, itemType) ?? throw new JsonException("A list item was null."));
                    return true;
                case not JsonTokenType.EndArray when depth == 2 && _inItems:
                    throw new JsonException($"A list item is {reader.TokenType}, not an object.");
                case JsonTokenType.StartObject when depth == 1 && _property == Property.Metadata:
                    if (!Complete(reader)) return false;
                    ReadMetadata(ref reader);
                    return true;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    // Anything else (kind, apiVersion, unknown members) is skipped whole.
                    return reader.TrySkip();
                default:
                    return true;
            }
        }

        private static bool Complete(Utf8JsonReader probe) => probe.TrySkip();

        private void ReadMetadata(ref Utf8JsonReader reader)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.ValueTextEquals("resourceVersion"u8) ? 1 : reader.ValueTextEquals("continue"u8) ? 2 : 0;
                reader.Read();
                if (name == 1 && reader.TokenType == JsonTokenType.String) ResourceVersion = reader.GetString() ?? "";
                else if (name == 2 && reader.TokenType == JsonTokenType.String) Continue = reader.GetString();
                else reader.TrySkip();
            }
        }
    }
}
