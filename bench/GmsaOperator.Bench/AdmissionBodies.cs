using System.Text;
using System.Text.Json;

namespace GmsaOperator.Bench;

/// <summary>The AdmissionReview bodies the API server would send for a GMSA pod CREATE in <paramref name="ns"/>.</summary>
internal static class AdmissionBodies
{
    /// <summary>/mutate: pod-level gmsaCredentialSpecName only; the webhook fills in the contents.</summary>
    public static byte[] Mutate(string ns, string credSpec) => Review(ns, Pod(credSpec, contents: null, "default", "web"), "0df28fbd-5f5f-11e8-bc74-36e6bb280816");

    /// <summary>/validate: pod-level name and contents equal to the credspec (as the mutating webhook left them).</summary>
    public static byte[] Validate(string ns, string credSpec, string contents) => Review(ns, Pod(credSpec, contents, "default", "web"), "0df28fbd-5f5f-11e8-bc74-36e6bb280816");

    /// <summary>A review of pod <paramref name="podName"/> (uid <paramref name="uid"/>) run as <paramref name="serviceAccount"/>; contents only for /validate.</summary>
    public static byte[] Pod(string ns, string serviceAccount, string credSpec, string? contents, string podName, string uid) =>
        Review(ns, Pod(credSpec, contents, serviceAccount, podName), uid);

    private static Dictionary<string, object?> Pod(string credSpec, string? contents, string serviceAccount, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new Dictionary<string, object?> { ["name"] = name, ["labels"] = new Dictionary<string, string> { ["app"] = "web" } },
        ["spec"] = new Dictionary<string, object?>
        {
            ["serviceAccountName"] = serviceAccount,
            ["securityContext"] = new Dictionary<string, object?>
            {
                ["windowsOptions"] = contents is null
                    ? new Dictionary<string, object?> { ["gmsaCredentialSpecName"] = credSpec }
                    : new Dictionary<string, object?> { ["gmsaCredentialSpecName"] = credSpec, ["gmsaCredentialSpec"] = contents },
            },
            ["containers"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["name"] = "iis",
                    ["image"] = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019",
                    ["ports"] = new[] { new Dictionary<string, object?> { ["containerPort"] = 80, ["protocol"] = "TCP" } },
                    ["resources"] = new Dictionary<string, object?>(),
                },
            },
            ["nodeSelector"] = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" },
            ["restartPolicy"] = "Always",
            ["dnsPolicy"] = "ClusterFirst",
        },
    };

    private static byte[] Review(string ns, object pod, string uid) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["kind"] = "AdmissionReview",
        ["apiVersion"] = "admission.k8s.io/v1",
        ["request"] = new Dictionary<string, object?>
        {
            ["uid"] = uid,
            ["kind"] = new Dictionary<string, string> { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new Dictionary<string, string> { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["requestKind"] = new Dictionary<string, string> { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["requestResource"] = new Dictionary<string, string> { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["namespace"] = ns,
            ["operation"] = "CREATE",
            ["userInfo"] = new Dictionary<string, object?>
            {
                ["username"] = "system:serviceaccount:kube-system:replicaset-controller",
                ["uid"] = "a3bd1e10-1d0c-4c34-9d1a-4a3c8b4e5f00",
                ["groups"] = new[] { "system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated" },
            },
            ["object"] = pod,
            ["oldObject"] = null,
            ["dryRun"] = false,
            ["options"] = new Dictionary<string, string> { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        },
    }));
}
