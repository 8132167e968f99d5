using System.Net;
using System.Text;

namespace GmsaOperator.Bench;

/// <summary>
/// Classifies an answer against what the request must get. A 403 denial of an unauthorised request is a success of its
/// own kind (counted as denied, not as an error); an unauthorised request that is allowed is the one outcome that must
/// never happen and is counted separately from errors.
/// </summary>
internal static class AdmissionOutcome
{
    private static readonly byte[] AllowedTrue = Encoding.ASCII.GetBytes("\"allowed\":true");
    private static readonly byte[] AllowedFalse = Encoding.ASCII.GetBytes("\"allowed\":false");
    private static readonly byte[] Code403 = Encoding.ASCII.GetBytes("\"code\":403");

    public enum Kind { Allowed, Denied, Error, UnauthorisedAllowed }

    public static (Kind Kind, string? Error) Classify(HttpStatusCode status, ReadOnlySpan<byte> body, Expect expect)
    {
        if (status != HttpStatusCode.OK) return (Kind.Error, $"HTTP {(int)status}");
        var allowed = body.IndexOf(AllowedTrue) >= 0;
        if (expect == Expect.Allowed)
        {
            return allowed ? (Kind.Allowed, null) : (Kind.Error, "not allowed: " + Encoding.UTF8.GetString(body[..Math.Min(body.Length, 400)]));
        }
        if (allowed) return (Kind.UnauthorisedAllowed, "an unauthorised request was allowed");
        return body.IndexOf(AllowedFalse) >= 0 && body.IndexOf(Code403) >= 0
            ? (Kind.Denied, null)
            : (Kind.Error, "denied without 403: " + Encoding.UTF8.GetString(body[..Math.Min(body.Length, 400)]));
    }
}
