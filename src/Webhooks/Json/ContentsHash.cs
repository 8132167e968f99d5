using System.Security.Cryptography;
using System.Text;
using GmsaOperator.Entities.Deployment;

namespace GmsaOperator.Webhooks.Json;

/// <summary>The hash recorded for credential-spec contents: SHA-256 of the canonical text (<see cref="CanonicalJson"/>), as UTF-8.</summary>
public static class ContentsHash
{
    public static string Of(string canonicalContents) =>
        PodTracking.ContentsHashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalContents)));
}
