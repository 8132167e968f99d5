using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace GmsaOperator.IntegrationTests.Reliability;

/// <summary>
/// An HTTP-level fault injector in the operator's API client pipeline (a DelegatingHandler, not a network proxy): a
/// share of requests gets a synthetic 429 (Retry-After: 1) or 500/503 without reaching the API server. Records when
/// every request was sent, to bound the request rate.
/// </summary>
internal sealed class FaultInjector : DelegatingHandler
{
    private readonly Random _random = new(7);
    private readonly ConcurrentQueue<long> _sent = new();
    private volatile int _percent;

    public int Injected;

    /// <summary>Share of requests (0–100) answered with a fault.</summary>
    public int FailurePercent { get => _percent; set => _percent = value; }

    public int RequestsSince(long timestamp) => _sent.Count(t => t >= timestamp);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _sent.Enqueue(Stopwatch.GetTimestamp());
        int roll;
        lock (_random) roll = _random.Next(100);
        if (roll >= _percent) return base.SendAsync(request, cancellationToken);
        Interlocked.Increment(ref Injected);
        var status = (roll % 3) switch { 0 => HttpStatusCode.TooManyRequests, 1 => HttpStatusCode.ServiceUnavailable, _ => HttpStatusCode.InternalServerError };
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected {{(int)status}}","code":{{(int)status}}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        if (status == HttpStatusCode.TooManyRequests) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
        return Task.FromResult(response);
    }
}
