using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GmsaOperator.Webhooks.Authorization;

/// <summary>
/// The fixed-size key of one authorisation question (subject incl. user, uid, groups and extra; namespace; credspec):
/// SHA-256 over a length-prefixed encoding. Length prefixes make the encoding injective whatever characters the values
/// contain, so two different questions never share a key by construction (only by a SHA-256 collision); 32 bytes per
/// key whatever the request's strings measure, so a cache's memory is its entry count times a constant.
/// </summary>
public readonly record struct QuestionKey(ulong A, ulong B, ulong C, ulong D)
{
    public static QuestionKey For(AccessSubject subject, string @namespace, string credentialSpecName)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(buffer, subject, @namespace, credentialSpecName);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return new QuestionKey(
            BinaryPrimitives.ReadUInt64LittleEndian(hash),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
    }

    /// <summary>
    /// The injective encoding the key hashes: every string as its UTF-16 length then its UTF-16 code units (not UTF-8,
    /// which maps a lone surrogate and U+FFFD to the same bytes), every list as its count then its items, uid with a
    /// presence flag, extra sorted by key.
    /// </summary>
    public static void Encode(IBufferWriter<byte> output, AccessSubject subject, string @namespace, string credentialSpecName)
    {
        WriteString(output, subject.User);
        WriteInt(output, subject.Uid is null ? 0 : 1);
        if (subject.Uid is { } uid) WriteString(output, uid);
        WriteInt(output, subject.Groups.Count);
        foreach (var group in subject.Groups) WriteString(output, group);
        var extra = subject.Extra;
        WriteInt(output, extra?.Count ?? 0);
        if (extra is not null)
        {
            foreach (var (key, values) in extra.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                WriteString(output, key);
                WriteInt(output, values.Count);
                foreach (var value in values) WriteString(output, value);
            }
        }
        WriteString(output, @namespace);
        WriteString(output, credentialSpecName);
    }

    private static void WriteInt(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void WriteString(IBufferWriter<byte> output, string value)
    {
        WriteInt(output, value.Length);
        output.Write(MemoryMarshal.AsBytes(value.AsSpan()));
    }
}
