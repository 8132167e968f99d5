namespace GmsaOperator.Bench;

/// <summary>What an answer must say: allowed, or denied with 403 (an unauthorised service account).</summary>
internal enum Expect { Allowed, Forbidden }

/// <summary>One request to send: its body and the answer it must get.</summary>
internal readonly record struct AdmissionRequest(byte[] Body, Expect Expect);

/// <summary>Where a load generator's requests come from; <paramref name="worker"/> lets a source keep per-worker state.</summary>
internal interface IAdmissionRequests
{
    string Description { get; }

    AdmissionRequest Next(int worker);
}

/// <summary>The same body every time (the single-body rows, kept for comparison).</summary>
internal sealed class SingleBody(byte[] body) : IAdmissionRequests
{
    public string Description => "one body repeated";

    public AdmissionRequest Next(int worker) => new(body, Expect.Allowed);
}
