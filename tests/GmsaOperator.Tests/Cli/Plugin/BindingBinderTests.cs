using System.Net;
using System.Text;
using System.Text.Json;
using GmsaOperator.Operator.Cli.Bindings;
using k8s;

namespace GmsaOperator.Tests.Cli.Plugin;

/// <summary><c>bind</c>'s writes: a resourceVersion precondition, and a re-read after a conflict, so no entry is lost.</summary>
public sealed class BindingBinderTests
{
    /// <summary>Answers requests from a script, in order, recording method, path and body.</summary>
    private sealed class ScriptedApi : DelegatingHandler
    {
        private readonly Queue<(HttpStatusCode Code, string Body, string? Warning)> _responses = new();

        public List<(string Method, string Path, string? Body)> Requests { get; } = [];

        public void Then(HttpStatusCode code, string body, string? warning = null) => _responses.Enqueue((code, body, warning));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.Method.Method, request.RequestUri!.PathAndQuery, request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            var (code, body, warning) = _responses.Dequeue();
            var response = new HttpResponseMessage(code) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request };
            if (warning is not null) response.Headers.TryAddWithoutValidation("Warning", warning);
            return response;
        }
    }

    private static string List(params (string Name, string ResourceVersion, string[] Accounts)[] items) =>
        JsonSerializer.Serialize(new
        {
            apiVersion = "gmsa.dev/v1alpha1",
            kind = "GmsaBindingList",
            items = items.Select(i => new
            {
                metadata = new { name = i.Name, resourceVersion = i.ResourceVersion },
                spec = new { credentialSpecName = "gmsa-web", serviceAccounts = i.Accounts },
            }),
        });

    private static string Status(int code, string reason, string message) =>
        JsonSerializer.Serialize(new { kind = "Status", apiVersion = "v1", status = "Failure", code, reason, message });

    private static (BindingBinder Binder, ScriptedApi Api) Create()
    {
        var api = new ScriptedApi();
        return (new BindingBinder(new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, api)), api);
    }

    [Test]
    public async Task Extend_AfterAConflict_ReReadsAndKeepsTheEntryAddedMeanwhile()
    {
        var (binder, api) = Create();
        api.Then(HttpStatusCode.OK, List(("gmsa-web", "1", ["a"])));
        api.Then(HttpStatusCode.Conflict, Status(409, "Conflict", "the object has been modified"));
        api.Then(HttpStatusCode.OK, List(("gmsa-web", "2", ["a", "meanwhile"])));
        api.Then(HttpStatusCode.OK, "{}", "299 - \"credspec gmsa-web does not exist\"");

        var outcome = await binder.BindAsync("shop", "gmsa-web", ["b"], null, DryRun.None, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(new BindOutcome("gmsa-web", "patched", outcome.Warnings)));
        Assert.That(outcome.Warnings, Is.EqualTo(new[] { "credspec gmsa-web does not exist" }));
        var patches = api.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.That(patches, Has.Count.EqualTo(2));
        Assert.That(patches[0].Path, Does.StartWith("/apis/gmsa.dev/v1alpha1/namespaces/shop/gmsabindings/gmsa-web?"));
        Assert.That(patches[0].Body, Is.EqualTo("""{"metadata":{"resourceVersion":"1"},"spec":{"serviceAccounts":["a","b"]}}"""));
        Assert.That(patches[1].Body, Is.EqualTo("""{"metadata":{"resourceVersion":"2"},"spec":{"serviceAccounts":["a","meanwhile","b"]}}"""));
    }

    [Test]
    public async Task Create_Refused_SurfacesTheApiServersMessage_WithoutRetrying()
    {
        var (binder, api) = Create();
        api.Then(HttpStatusCode.OK, List());
        api.Then(HttpStatusCode.Forbidden, Status(403, "Forbidden", "admission webhook \"x\" denied the request: no `use`"));

        var refused = Assert.ThrowsAsync<BindRefusedException>(() => binder.BindAsync("shop", "gmsa-web", ["a"], null, DryRun.Server, CancellationToken.None));

        Assert.That(refused!.Message, Is.EqualTo("Error from server (Forbidden): admission webhook \"x\" denied the request: no `use`"));
        var post = api.Requests.Single(r => r.Method == "POST");
        Assert.That(post.Path, Does.Contain("dryRun=All").And.Contain("fieldManager=kubectl-gmsa"));
        Assert.That(post.Body, Does.Contain("\"credentialSpecName\":\"gmsa-web\"").And.Contain("\"serviceAccounts\":[\"a\"]"));
    }

    [Test]
    public async Task Conflicts_AreRetriedABoundedNumberOfTimes()
    {
        var (binder, api) = Create();
        for (var i = 0; i < 5; i++)
        {
            api.Then(HttpStatusCode.OK, List(("gmsa-web", $"{i}", ["a"])));
            api.Then(HttpStatusCode.Conflict, Status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again"));
        }

        var refused = Assert.ThrowsAsync<BindRefusedException>(() => binder.BindAsync("shop", "gmsa-web", ["b"], null, DryRun.None, CancellationToken.None));
        Assert.That(refused!.Message, Does.StartWith("Error from server (Conflict): the object has been modified"));
        Assert.That(api.Requests, Has.Count.EqualTo(10));
        await Task.CompletedTask;
    }

    [Test]
    public async Task ClientDryRun_AndNothingToAdd_WriteNothing()
    {
        var (binder, api) = Create();
        api.Then(HttpStatusCode.OK, List(("gmsa-web", "1", ["a"])));
        api.Then(HttpStatusCode.OK, List(("gmsa-web", "1", ["a"])));

        Assert.That((await binder.BindAsync("shop", "gmsa-web", ["b"], null, DryRun.Client, CancellationToken.None)).Verb, Is.EqualTo("patched"));
        Assert.That((await binder.BindAsync("shop", "gmsa-web", ["a"], null, DryRun.None, CancellationToken.None)).Verb, Is.EqualTo("unchanged"));
        Assert.That(api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "GET", "GET" }));
    }
}
