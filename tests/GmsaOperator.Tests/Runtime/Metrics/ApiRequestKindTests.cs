using GmsaOperator.Runtime.Metrics;

namespace GmsaOperator.Tests.Runtime.Metrics;

public class ApiRequestKindTests
{
    [TestCase("POST", "/apis/authorization.k8s.io/v1/namespaces/web/localsubjectaccessreviews", "create", "localsubjectaccessreviews")]
    [TestCase("PATCH", "/apis/gmsa.dev/v1alpha1/namespaces/web/gmsabindings/app/status", "patch", "gmsabindings/status")]
    [TestCase("GET", "/apis/gmsa.dev/v1alpha1/namespaces/web/gmsabindings/app", "get", "gmsabindings")]
    [TestCase("GET", "/apis/gmsa.dev/v1alpha1/gmsabindings?resourceVersion=0", "list", "gmsabindings")]
    [TestCase("GET", "/api/v1/serviceaccounts?allowWatchBookmarks=true&watch=true", "watch", "serviceaccounts")]
    [TestCase("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/web/rolebindings", "create", "rolebindings")]
    [TestCase("DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles/x", "delete", "clusterroles")]
    [TestCase("POST", "/api/v1/namespaces", "create", "namespaces")]
    [TestCase("GET", "/api/v1/namespaces/web", "get", "namespaces")]
    [TestCase("PUT", "/apis/coordination.k8s.io/v1/namespaces/gmsa-system/leases/gmsa-operator", "update", "leases")]
    [TestCase("GET", "/version", "get", "other")]
    public void VerbAndResource_FromMethodAndPath(string method, string path, string verb, string resource) =>
        Assert.That(ApiRequestKind.Of(method, new Uri("https://127.0.0.1:6443" + path)), Is.EqualTo(new ApiRequestKind(verb, resource)));
}
