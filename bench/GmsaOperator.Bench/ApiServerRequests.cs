using System.Globalization;
using k8s;

namespace GmsaOperator.Bench;

/// <summary>
/// What kube-apiserver itself served, from its own <c>/metrics</c>: requests by verb and resource (whoever sent them —
/// the bench, the operator, kube-controller-manager) and the admission webhook calls it made with the time it waited
/// for them. Two snapshots around a phase give that phase's work, counted by the server.
/// </summary>
internal sealed record ApiServerRequests(IReadOnlyDictionary<string, double> Requests, double WebhookCalls, double WebhookSeconds)
{
    private const string RequestTotal = "apiserver_request_total";
    private const string WebhookDuration = "apiserver_admission_webhook_admission_duration_seconds";

    public static async Task<ApiServerRequests> ReadAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var kubernetes = client as Kubernetes ?? throw new InvalidOperationException("the bench's client is a k8s.Kubernetes");
        using var response = await kubernetes.HttpClient.GetAsync(new Uri(kubernetes.BaseUri, "metrics"), cancellationToken);
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Watches are left out (each counts once, when opened, however long it streams).</summary>
    public static ApiServerRequests Parse(string metrics) => new(
        (PrometheusText.Series(metrics, RequestTotal) ?? [])
            .Where(s => s.Labels.GetValueOrDefault("verb") != "WATCH")
            .GroupBy(Key)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal),
        PrometheusText.Sum(metrics, $"{WebhookDuration}_count") ?? 0,
        PrometheusText.Sum(metrics, $"{WebhookDuration}_sum") ?? 0);

    private static string Key((IReadOnlyDictionary<string, string> Labels, double Value) s)
    {
        var resource = s.Labels.GetValueOrDefault("resource") ?? "";
        var group = s.Labels.GetValueOrDefault("group");
        var subresource = s.Labels.GetValueOrDefault("subresource");
        return $"{s.Labels.GetValueOrDefault("verb")} {resource}{(string.IsNullOrEmpty(group) ? "" : "." + group)}{(string.IsNullOrEmpty(subresource) ? "" : "/" + subresource)}";
    }

    /// <summary>What was served between <paramref name="earlier"/> and this snapshot, per object (<paramref name="n"/>).</summary>
    public Delta PerObjectSince(ApiServerRequests earlier, int n) => new(
        Requests.Select(r => (r.Key, PerObject: (r.Value - earlier.Requests.GetValueOrDefault(r.Key)) / n))
            .Where(r => r.PerObject > 0).ToDictionary(r => r.Key, r => r.PerObject, StringComparer.Ordinal),
        (WebhookCalls - earlier.WebhookCalls) / n,
        WebhookCalls > earlier.WebhookCalls ? (WebhookSeconds - earlier.WebhookSeconds) * 1000 / (WebhookCalls - earlier.WebhookCalls) : 0);

    /// <param name="Requests">Requests served per object, by verb and resource.</param>
    /// <param name="WebhookCalls">Admission webhook calls per object.</param>
    /// <param name="WebhookMeanMs">Mean time the API server waited for one webhook call.</param>
    public sealed record Delta(IReadOnlyDictionary<string, double> Requests, double WebhookCalls, double WebhookMeanMs)
    {
        public double Total => Requests.Values.Sum();

        public string Describe() => string.Join(", ", Requests.Where(r => r.Value >= 0.005).OrderByDescending(r => r.Value)
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value:0.00}")))
            + string.Create(CultureInfo.InvariantCulture, $"; admission webhook calls {WebhookCalls:0.00} per object{(WebhookCalls > 0 ? $", {WebhookMeanMs:0.0} ms each on average" : "")}");
    }
}
