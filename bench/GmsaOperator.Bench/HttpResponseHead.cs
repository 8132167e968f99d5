using System.Buffers.Text;
using System.Text;

namespace GmsaOperator.Bench;

/// <summary>
/// The head of an HTTP/1.1 answer as far as the load generators need it: status, where the body starts, its
/// Content-Length and whether the server closes the connection after it. Answers without a Content-Length (chunked)
/// are refused: the webhooks under test always send one, and a generator that guessed would count wrong bodies.
/// </summary>
internal readonly record struct HttpResponseHead(int Status, int HeadLength, int ContentLength, bool Close)
{
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentLengthName = Encoding.ASCII.GetBytes("content-length:");
    private static readonly byte[] ConnectionName = Encoding.ASCII.GetBytes("connection:");

    /// <summary>False while <paramref name="received"/> does not yet hold the whole head; a malformed head throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> received, out HttpResponseHead head)
    {
        head = default;
        var end = received.IndexOf(EndOfHead);
        if (end < 0) return false;
        var lines = received[..end];
        var firstEnd = lines.IndexOf("\r\n"u8);
        var statusLine = firstEnd < 0 ? lines : lines[..firstEnd];
        // "HTTP/1.1 200 OK": the code is the three digits after the first space.
        if (!statusLine.StartsWith("HTTP/1."u8) || statusLine.Length < 12 || statusLine[8] != (byte)' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var used) || used != 3)
        {
            throw new FormatException("not an HTTP/1.x status line: " + Printable(statusLine));
        }

        int? length = null;
        var close = false;
        var rest = firstEnd < 0 ? [] : lines[(firstEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var lineEnd = rest.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? rest : rest[..lineEnd];
            rest = lineEnd < 0 ? [] : rest[(lineEnd + 2)..];
            if (StartsWithIgnoreCase(line, ContentLengthName))
            {
                var value = line[ContentLengthName.Length..].Trim((byte)' ');
                if (!Utf8Parser.TryParse(value, out int parsed, out var consumed) || consumed != value.Length || parsed < 0)
                {
                    throw new FormatException("bad Content-Length: " + Printable(line));
                }
                length = parsed;
            }
            else if (StartsWithIgnoreCase(line, ConnectionName))
            {
                close = Ascii.EqualsIgnoreCase(line[ConnectionName.Length..].Trim((byte)' '), "close"u8);
            }
        }
        head = new HttpResponseHead(status, end + EndOfHead.Length,
            length ?? throw new FormatException($"HTTP {status} answer without Content-Length (chunked answers are not read)"), close);
        return true;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> line, ReadOnlySpan<byte> lowerName) =>
        line.Length >= lowerName.Length && Ascii.EqualsIgnoreCase(line[..lowerName.Length], lowerName);

    private static string Printable(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 120)]);
}
