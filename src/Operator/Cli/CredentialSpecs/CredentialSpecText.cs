using System.Text;

namespace GmsaOperator.Operator.Cli.CredentialSpecs;

/// <summary>
/// Decodes the bytes of a credential-spec file as <c>New-CredentialSpec</c> or an editor writes them: UTF-8 with or
/// without BOM, UTF-16 LE/BE with BOM. Invalid byte sequences are an error, never silently replaced.
/// </summary>
public static class CredentialSpecText
{
    public static string Decode(ReadOnlySpan<byte> bytes, string source)
    {
        var (encoding, skip) = bytes switch
        {
            [0xEF, 0xBB, 0xBF, ..] => ((Encoding)new UTF8Encoding(false, throwOnInvalidBytes: true), 3),
            [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            _ => (new UTF8Encoding(false, throwOnInvalidBytes: true), 0),
        };
        try
        {
            return encoding.GetString(bytes[skip..]);
        }
        catch (DecoderFallbackException)
        {
            throw new CredentialSpecInputException(
                $"{source} is not text in UTF-8 or UTF-16 with a byte-order mark (save it as UTF-8 and try again).");
        }
    }
}

/// <summary>Input that cannot be converted; the message is one sentence meant for the person running the command.</summary>
public sealed class CredentialSpecInputException(string message) : Exception(message);
