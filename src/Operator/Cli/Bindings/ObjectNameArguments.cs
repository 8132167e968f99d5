using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using GmsaOperator.Entities.Generation;

namespace GmsaOperator.Operator.Cli.Bindings;

/// <summary>
/// Object-name arguments checked before anything is sent: an unknown flag would otherwise be taken for a name (the
/// parser passes unmatched <c>--x</c> tokens to arguments), and a name the API server cannot store is a usage error.
/// </summary>
public static partial class ObjectNameArguments
{
    public static void Validate<T>(Argument<T> argument, string what) => argument.Validators.Add(result =>
    {
        foreach (var token in result.Tokens.Select(t => t.Value))
        {
            if (Error(token, what) is { } error)
            {
                result.AddError(error);
                return;
            }
        }
    });

    /// <summary>Why <paramref name="value"/> cannot be a <paramref name="what"/> name, or null.</summary>
    public static string? Error(string value, string what) =>
        value.StartsWith('-') ? $"unknown flag: {value}"
        : value.Length > NamePatterns.Dns1123SubdomainMaxLength || !Dns1123().IsMatch(value)
            ? $"'{value}' is not a valid {what} name: a lower-case RFC 1123 subdomain (a-z, 0-9, '-' and '.') of at most {NamePatterns.Dns1123SubdomainMaxLength} characters"
            : null;

    [GeneratedRegex(NamePatterns.Dns1123Subdomain, RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123();
}
