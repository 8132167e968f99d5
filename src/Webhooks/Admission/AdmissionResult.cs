namespace GmsaOperator.Webhooks.Admission;

/// <summary>The decision of an admission handler: allowed (optionally with a JSON patch and warnings) or denied with an HTTP-style code.</summary>
public sealed record AdmissionResult(bool Allowed, int Code, string? Message, byte[]? Patch, IReadOnlyList<string> Warnings)
{
    public static AdmissionResult Allow(IReadOnlyList<string>? warnings = null) => new(true, 200, null, null, warnings ?? []);

    public static AdmissionResult AllowWithPatch(byte[] patch, IReadOnlyList<string>? warnings = null) => new(true, 200, null, patch, warnings ?? []);

    public static AdmissionResult Deny(AdmissionError error) => new(false, error.Code, error.Message, null, []);

    public static AdmissionResult Deny(int code, string message) => new(false, code, message, null, []);
}

/// <summary>A denial: HTTP-style status code and the exact user-visible message.</summary>
public sealed record AdmissionError(int Code, string Message);
