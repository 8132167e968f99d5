using System.Net;
using System.Text;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Writes;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Runtime;

public sealed class ResilienceTests
{
    /// <summary>Answers with the given status codes in turn (the last one repeats) and counts requests.</summary>
    private sealed class Sequence(params (HttpStatusCode Code, string? RetryAfter)[] answers) : DelegatingHandler
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (code, retryAfter) = answers[Math.Min(Interlocked.Increment(ref Requests) - 1, answers.Length - 1)];
            var body = code == HttpStatusCode.OK
                ? """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","resourceVersion":"1"}}"""
                : $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","code":{{(int)code}}}""";
            var response = new HttpResponseMessage(code) { RequestMessage = request, Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (retryAfter is not null) response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            return Task.FromResult(response);
        }
    }

    private static IObjectWriter Writer(Sequence transport) =>
        new ObjectWriter(new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, transport),
            new OperatorRuntimeOptions(), KubernetesResilience.Create(TimeProvider.System, maxRetries: 3, baseDelay: TimeSpan.FromMilliseconds(1)));

    [Test]
    public async Task ServerErrorsAndThrottlingAreRetried()
    {
        using var transport = new Sequence((HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.TooManyRequests, "0"), (HttpStatusCode.OK, null));

        var read = await Writer(transport).GetAsync<V1ConfigMap>(new ObjectKey("ns", "a"), CancellationToken.None);

        Assert.That(read!.Metadata.Name, Is.EqualTo("a"));
        Assert.That(transport.Requests, Is.EqualTo(3));
    }

    [Test]
    public void ClientErrorsAreNotRetried()
    {
        using var transport = new Sequence((HttpStatusCode.Forbidden, null));

        Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => Writer(transport).GetAsync<V1ConfigMap>(new ObjectKey("ns", "a"), CancellationToken.None));
        Assert.That(transport.Requests, Is.EqualTo(1));
    }

    [Test]
    public void RetriesAreBounded()
    {
        using var transport = new Sequence((HttpStatusCode.InternalServerError, null));

        Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => Writer(transport).GetAsync<V1ConfigMap>(new ObjectKey("ns", "a"), CancellationToken.None));
        Assert.That(transport.Requests, Is.EqualTo(4), "1 try + 3 retries");
    }

    [Test]
    public void ConnectionFailuresAndClientTimeoutsAreTransientButOurCancellationIsNot()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Multiple(() =>
        {
            Assert.That(KubernetesResilience.IsTransient(new HttpRequestException("refused", new System.Net.Sockets.SocketException(111)), CancellationToken.None), Is.True);
            Assert.That(KubernetesResilience.IsTransient(new TaskCanceledException("HttpClient.Timeout"), CancellationToken.None), Is.True);
            Assert.That(KubernetesResilience.IsTransient(new TaskCanceledException(), cancelled.Token), Is.False);
        });
    }
}
