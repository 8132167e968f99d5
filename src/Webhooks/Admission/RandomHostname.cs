using System.Security.Cryptography;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// Random pod hostnames for GMSA pods: 15 characters (the NetBIOS limit), a valid DNS label starting with a letter,
/// about 77 bits of entropy (upstream's UUID prefix has only 48 and always ends in "-4").
/// </summary>
public static class RandomHostname
{
    public const int Length = 15;
    private const string Letters = "abcdefghijklmnopqrstuvwxyz";
    private const string LettersAndDigits = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string Generate()
    {
        Span<char> name = stackalloc char[Length];
        name[0] = RandomNumberGenerator.GetItems<char>(Letters, 1)[0];
        RandomNumberGenerator.GetItems<char>(LettersAndDigits, name[1..]);
        return new string(name);
    }

    /// <summary>Go's <c>strconv.ParseBool</c>, as upstream parses <c>RANDOM_HOSTNAME</c>.</summary>
    public static bool ParseGoBool(string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw new FormatException($"unable to parse environment variable RANDOM_HOSTNAME with value {value} to bool"),
    };
}
