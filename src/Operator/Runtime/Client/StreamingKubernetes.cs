using k8s;
using k8s.Autorest;

namespace GmsaOperator.Runtime.Client;

/// <summary>
/// The KubernetesClient <see cref="Kubernetes"/> client, able to hand a response over unread: asked for a
/// <see cref="ResponseBody"/>, it returns the open body stream instead of decoding it. Lists of thousands of objects
/// are then decoded item by item as they arrive, never held as one document (which at 10,000 objects costs hundreds of
/// megabytes at once). Every other response is read in full asynchronously before the base client decodes it: the base
/// decodes from the open network stream *synchronously*, so each thread decoding an answer whose body had not arrived
/// yet blocked until it did — under a burst of SubjectAccessReviews that took every thread-pool thread, the HTTP/2
/// connection's own reader among the work waiting for one, and every review in flight stalled until the pool added
/// threads (seconds). Everything else — credentials, TLS, handlers, error statuses — is the base client's.
/// </summary>
public class StreamingKubernetes(KubernetesClientConfiguration config, params DelegatingHandler[] handlers) : Kubernetes(config, handlers)
{
    protected override async Task<HttpOperationResponse<T>> CreateResultAsync<T>(HttpRequestMessage httpRequest, HttpResponseMessage httpResponse, bool? watch,
        CancellationToken cancellationToken)
    {
        if (watch == true)
        {
            // The base reads a watch's first line asynchronously and hands the rest to the watcher as a stream.
            return await base.CreateResultAsync<T>(httpRequest, httpResponse, watch, cancellationToken).ConfigureAwait(false);
        }
        if (typeof(T) != typeof(ResponseBody))
        {
            await httpResponse.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
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
