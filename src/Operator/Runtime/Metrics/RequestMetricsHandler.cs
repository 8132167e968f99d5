using System.Diagnostics;

namespace GmsaOperator.Runtime.Metrics;

/// <summary>Counts API client requests (rest_client_requests_total) in the Kubernetes client's HTTP pipeline.</summary>
public sealed class RequestMetricsHandler(RuntimeMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var host = request.RequestUri?.Authority ?? "";
        var kind = ApiRequestKind.Of(request.Method.Method, request.RequestUri);
        metrics.RestRequestsByResource.WithLabels(kind.Verb, kind.Resource).Inc();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.RestRequests.WithLabels(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), request.Method.Method, host).Inc();
            return response;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.RestRequests.WithLabels("<error>", request.Method.Method, host).Inc();
            throw;
        }
        finally
        {
            metrics.RestLatency.WithLabels(request.Method.Method).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
