namespace GmsaOperator.Webhooks.Http;

/// <summary>How an admission request ended, as counted by <see cref="IAdmissionMetrics"/>.</summary>
public enum AdmissionOutcome
{
    /// <summary>The review allowed the object (with or without a patch).</summary>
    Allowed,

    /// <summary>The review refused the object by policy.</summary>
    Denied,

    /// <summary>The handler failed and the object was refused (default deny).</summary>
    Error,

    /// <summary>Not an admission review we could decide: wrong method or media type, too large, unreadable or undecodable.</summary>
    Malformed,

    /// <summary>Refused unread (503): the bodies of requests already in flight held the whole body budget.</summary>
    Overloaded,
}

/// <summary>
/// Counts admission outcomes per webhook path. The webhooks stay free of a metrics library: the host that serves
/// /metrics registers an implementation; without one nothing is counted.
/// </summary>
public interface IAdmissionMetrics
{
    /// <param name="webhook">One of <see cref="WebhookPaths"/>' admission paths (a bounded set).</param>
    void Reviewed(string webhook, AdmissionOutcome outcome);
}

/// <summary>Counts nothing (webhooks hosted without /metrics).</summary>
public sealed class NoAdmissionMetrics : IAdmissionMetrics
{
    public static readonly NoAdmissionMetrics Instance = new();

    public void Reviewed(string webhook, AdmissionOutcome outcome)
    {
    }
}
