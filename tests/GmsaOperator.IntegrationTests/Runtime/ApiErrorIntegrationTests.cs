using System.Net;
using GmsaOperator.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>How <see cref="ApiError"/> reads the real API server's refusals.</summary>
public sealed class ApiErrorIntegrationTests : IntegrationTest
{
    private const string Hold = "gmsa.dev/test-hold";

    [Test]
    public async Task ACreateInATerminatingNamespace_IsNamespaceTerminating_AndOtherRefusalsAreNot()
    {
        // A finalizer on one object keeps the namespace in Terminating for as long as the test needs.
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = [Hold] } }, Namespace);
        try
        {
            await Client.CoreV1.DeleteNamespaceAsync(Namespace);
            await Eventually.HoldsAsync(async ct => (await Client.CoreV1.ReadNamespaceAsync(Namespace, cancellationToken: ct)).Status?.Phase == "Terminating" ? "" : null,
                TimeSpan.FromSeconds(30), "the namespace to be Terminating");

            var refused = Assert.ThrowsAsync<HttpOperationException>(() => Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = "late" },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            }, Namespace))!;
            using var nobody = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath),
                new ImpersonatingHandler("no-rbac-user"));
            var otherwiseForbidden = Assert.ThrowsAsync<HttpOperationException>(() => nobody.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "elsewhere" } }, "kube-system", dryRun: "All"))!;

            Assert.Multiple(() =>
            {
                Assert.That(refused.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(ApiError.From(refused).NamespaceTerminating, Is.True, refused.Response.Content);
                Assert.That(otherwiseForbidden.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(ApiError.From(otherwiseForbidden).NamespaceTerminating, Is.False, otherwiseForbidden.Response.Content);
            });
        }
        finally
        {
            await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", Namespace);
        }
    }
}
