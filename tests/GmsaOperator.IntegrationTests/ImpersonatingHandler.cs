namespace GmsaOperator.IntegrationTests;

/// <summary>Sends every request as another user (the test's kubeconfig user may impersonate anyone).</summary>
public sealed class ImpersonatingHandler(string user) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Add("Impersonate-User", user);
        return base.SendAsync(request, cancellationToken);
    }
}
