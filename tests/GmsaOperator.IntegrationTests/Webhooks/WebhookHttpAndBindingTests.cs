using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>The webhook port's HTTP behaviour, and GmsaBinding validation with impersonated users through the API server.</summary>
[NonParallelizable]
public sealed class WebhookHttpAndBindingTests : WebhookHostTest
{
    private static HttpClient _http = null!;

    [OneTimeSetUp]
    public void StartClient()
    {
        var ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Host.Certificates.GetCaBundlePem()));
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions =
            {
                // Trust exactly the webhook's own certificate, as the API server does through caBundle.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == ca.GetCertHashString(),
            },
        }) { BaseAddress = new Uri($"https://127.0.0.1:{Host.Port}") };
    }

    [OneTimeTearDown]
    public void StopClient() => _http?.Dispose();

    private static StringContent Json(string body, string contentType = "application/json") =>
        new(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));

    private static async Task<(HttpStatusCode Status, JsonElement Response)> PostAsync(string path, string body)
    {
        using var response = await _http.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("response").Clone());
    }

    private const string ValidReview = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"ns1","object":{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}}}""";

    [Test]
    public async Task MalformedRequests_GetTheRightErrors_AndTheServerKeepsServing()
    {
        using (var get = await _http.GetAsync("/mutate")) Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        using (var text = await _http.PostAsync("/validate", Json("{}", "text/plain"))) Assert.That(text.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        using (var unknown = await _http.PostAsync("/nope", Json(ValidReview))) Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using (var health = await _http.GetAsync("/healthz")) Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing else of the app is served on the webhook port");

        var notJson = await PostAsync("/validate", "this is not json");
        Assert.That(notJson.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(notJson.Response.GetProperty("status").GetProperty("code").GetInt32(), Is.EqualTo(400));
        Assert.That(notJson.Response.GetProperty("status").GetProperty("message").GetString(), Does.StartWith("unable to unmarshall JSON body as an admission review: "));
        Assert.That(notJson.Response.GetProperty("uid").GetString(), Is.Empty);

        var noRequest = await PostAsync("/mutate", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""");
        Assert.That(noRequest.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(noRequest.Response.GetProperty("status").GetProperty("message").GetString(), Is.EqualTo("no 'Request' field in JSON body"));

        var wrongKind = await PostAsync("/mutate", ValidReview.Replace("\"kind\":\"Pod\"", "\"kind\":\"Deployment\""));
        Assert.That(wrongKind.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(wrongKind.Response.GetProperty("allowed").GetBoolean(), Is.False);
        Assert.That(wrongKind.Response.GetProperty("status").GetProperty("message").GetString(), Is.EqualTo("expected a Pod object, got a Deployment"));
        Assert.That(wrongKind.Response.GetProperty("uid").GetString(), Is.EqualTo("u-1"));

        var huge = "{\"request\":{\"uid\":\"" + new string('x', 4 * 1024 * 1024) + "\"}}";
        using (var tooLarge = await _http.PostAsync("/validate", Json(huge))) Assert.That(tooLarge.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/validate") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))) };
        chunked.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        chunked.Headers.TransferEncodingChunked = true;
        using (var tooLargeChunked = await _http.SendAsync(chunked)) Assert.That(tooLargeChunked.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));

        var ok = await PostAsync("/validate", ValidReview);
        Assert.That((ok.Status, ok.Response.GetProperty("allowed").GetBoolean(), ok.Response.GetProperty("uid").GetString()), Is.EqualTo((HttpStatusCode.OK, true, "u-1")));
    }

    private Dictionary<string, object> Binding(string credSpec) => new()
    {
        ["apiVersion"] = "gmsa.dev/v1alpha1",
        ["kind"] = "GmsaBinding",
        ["metadata"] = new Dictionary<string, object> { ["name"] = "web" },
        ["spec"] = new Dictionary<string, object> { ["credentialSpecName"] = credSpec, ["serviceAccounts"] = new[] { "default", "not-yet" } },
    };

    [Test]
    public async Task GmsaBinding_ByUserWithoutUse_IsDenied_ByAdmin_IsAllowed()
    {
        await LabelNamespaceForWebhooksAsync();
        // alice may write GmsaBindings in this namespace, but may not use any credspec.
        await GrantUserAsync("alice", "binding-writer", new V1PolicyRule { ApiGroups = ["gmsa.dev"], Resources = ["gmsabindings"], Verbs = ["create", "get", "list", "update", "delete"] });

        using var alice = ClientAs("alice");
        var denied = await BindingWebhookRefusalAsync(alice, Binding("webapp1"), "alice");
        Assert.That(denied.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(denied.Response.Content, Does.Contain($"user \\\"alice\\\" may not create GmsaBinding \\\"web\\\" in namespace \\\"{Namespace}\\\": granting GMSA cred spec \\\"webapp1\\\" requires the user to be authorized to `use` it"));

        var created = await Client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync(Binding("webapp1"), "gmsa.dev", "v1alpha1", Namespace, "gmsabindings");
        Assert.That(created.Response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(created.Response.Headers.TryGetValues("Warning", out var warnings), Is.True, "missing credspec and service account are admission warnings");
        Assert.That(string.Join("\n", warnings!), Does.Contain("service account \\\"not-yet\\\" does not exist"));
    }
}
