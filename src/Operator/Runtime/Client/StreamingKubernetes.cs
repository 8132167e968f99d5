using k8s;
using k8s.Autorest;

namespace GmsaOperator.Runtime.Client;

/// <summary>
/// The KubernetesClient <see cref="Kubernetes"/> client, able to hand a response over unread: asked for a
/// <see cref="ResponseBody"/>, it returns the open body stream instead of decoding it. Lists of thousands of objects
/// are then decoded item by item as they arrive, never held as one document (which at 10,000 objects costs hundreds of
/// megabytes at once). Everything else — credentials, TLS, handlers, error statuses — is the base client's.
/// </summary>
public class StreamingKubernetes(KubernetesClientConfiguration config, params DelegatingHandler[] handlers) : Kubernetes(config, handlers)
{
    protected override async Task<HttpOperationResponse<T>> CreateResultAsync<T>(HttpRequestMessage httpRequest, HttpResponseMessage httpResponse, bool? watch,
        CancellationToken cancellationToken)
    {
        if (typeof(T) != typeof(ResponseBody) || watch == true)
        {
            return await base.CreateResultAsync<T>(httpRequest, httpResponse, watch, cancellationToken).ConfigureAwait(false);
        }
        var stream = await httpResponse.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return new HttpOperationResponse<T> { Request = httpRequest, Response = httpResponse, Body = (T)(object)new ResponseBody(stream) };
    }
}

/// <summary>An undecoded response body; disposing the <see cref="HttpOperationResponse{T}"/> that carries it closes it.</summary>
public sealed class ResponseBody(Stream stream)
{
    public Stream Stream { get; } = stream;
}
