using GmsaOperator.Operator.Cli.CredentialSpecs;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>The doctor's checks of a target (pod, workload or service account): credspecs, access, contents.</summary>
public static partial class DoctorChecks
{
    public static IEnumerable<CheckResult> Target(DoctorInputs inputs)
    {
        var target = inputs.Target;
        if (target.Description is null) yield break;
        if (!target.Found)
        {
            yield return CheckResult.Fail($"{target.Description} exists", $"not found in namespace {target.Namespace}", "check the name and pass --namespace");
            yield break;
        }
        if (target.CredentialSpecNames.Count == 0)
        {
            yield return CheckResult.Fail($"{target.Description} uses a GMSA", "nothing names a GMSACredentialSpec (securityContext.windowsOptions.gmsaCredentialSpecName, or a GmsaBinding for the service account)",
                "set securityContext.windowsOptions.gmsaCredentialSpecName on the pod (or its containers) and bind the service account with a GmsaBinding");
            yield break;
        }

        var specs = new Dictionary<string, CredentialSpecState>(StringComparer.Ordinal);
        foreach (var name in target.CredentialSpecNames)
        {
            var check = CredentialSpecExists(name, inputs);
            yield return check;
            if (check.Status == CheckStatus.Pass) specs[name] = inputs.CredentialSpecs.First(s => s.Name == name);
        }
        foreach (var account in target.ServiceAccounts)
        {
            foreach (var name in target.CredentialSpecNames)
            {
                yield return Access(target.Namespace, account, name, inputs);
            }
        }
        foreach (var pod in target.Pods)
        {
            foreach (var check in Pod(target.Namespace, pod, specs)) yield return check;
        }
    }

    public static CheckResult CredentialSpecExists(string name, DoctorInputs inputs)
    {
        var title = $"GMSACredentialSpec {name} exists";
        if (inputs.CredentialSpecs.FirstOrDefault(s => s.Name == name) is { } spec)
        {
            return spec.CanonicalCredspec is null
                ? CheckResult.Fail(title, "it has no credspec", "recreate it from the JSON of New-CredentialSpec: gmsa-operator credspec convert CredSpec.json | kubectl apply -f -")
                : CheckResult.Pass(title);
        }
        var similar = inputs.AllCredentialSpecNames
            .Where(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase) || n == ObjectNames.Suggest(name))
            .Concat(inputs.AllCredentialSpecNames.Where(n => EditDistance(n, name.ToLowerInvariant()) <= 2).OrderBy(n => EditDistance(n, name.ToLowerInvariant())))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var invalid = ObjectNames.IsDns1123Subdomain(name) ? "" : " (object names are lower-case, so this one can never exist)";
        if (similar.Count > 0)
        {
            var suggestion = similar[0];
            var caseOnly = string.Equals(suggestion, name, StringComparison.OrdinalIgnoreCase);
            return CheckResult.Fail(title, $"not found{invalid}; did you mean {suggestion}?{(caseOnly ? " Names (and RBAC resourceNames) are case-sensitive" : "")}",
                $"refer to it exactly as gmsaCredentialSpecName: {suggestion} (and spec.credentialSpecName: {suggestion} in the GmsaBinding)");
        }
        return CheckResult.Fail(title, $"not found{invalid}",
            "create it from the JSON New-CredentialSpec wrote on a domain-joined host: gmsa-operator credspec convert CredSpec.json | kubectl apply -f -");
    }

    public static CheckResult Access(string @namespace, string serviceAccount, string credentialSpecName, DoctorInputs inputs)
    {
        var title = $"service account {@namespace}/{serviceAccount} may use {credentialSpecName}";
        var granting = inputs.Bindings
            .Where(b => b.CredentialSpecName == credentialSpecName && b.ServiceAccounts.Contains(serviceAccount, StringComparer.Ordinal))
            .ToList();
        var access = inputs.Access.FirstOrDefault(a => a.ServiceAccount == serviceAccount && a.CredentialSpecName == credentialSpecName);
        if (access is { Allowed: true })
        {
            return CheckResult.Pass(title, granting.Count > 0
                ? $"granted by GmsaBinding {string.Join(", ", granting.Select(b => b.Name))}"
                : "granted by RBAC that no GmsaBinding of this namespace manages");
        }
        var reason = string.IsNullOrEmpty(access?.Reason) ? "" : $" ({access!.Reason})";
        if (granting.Count > 0)
        {
            var binding = granting[0];
            return CheckResult.Fail(title, $"the SubjectAccessReview denies it{reason} although GmsaBinding {binding.Name} lists it (Ready={binding.ReadyStatus ?? "unknown"}{(binding.ReadyReason is null ? "" : $", {binding.ReadyReason}")})",
                $"the operator turns the binding into RBAC: check kubectl -n {@namespace} describe gmsabinding {binding.Name} and that the operator is running");
        }
        var nearMiss = inputs.Bindings.FirstOrDefault(b => b.ServiceAccounts.Contains(serviceAccount, StringComparer.Ordinal)
                                                             && string.Equals(b.CredentialSpecName, credentialSpecName, StringComparison.OrdinalIgnoreCase));
        var detail = $"the SubjectAccessReview denies it{reason} and no GmsaBinding in {@namespace} grants it"
                     + (nearMiss is null ? "" : $" (GmsaBinding {nearMiss.Name} names {nearMiss.CredentialSpecName}, which differs in case)");
        // The documentation's own mistake: hand-written RBAC naming the credspec with different case (resourceNames are case-sensitive).
        var rbacMiss = (inputs.RbacGrants ?? [])
            .SelectMany(g => g.ResourceNames.Where(r => r != credentialSpecName && string.Equals(r, credentialSpecName, StringComparison.OrdinalIgnoreCase)).Select(r => (g, r)))
            .FirstOrDefault();
        if (rbacMiss.g is { } grant)
        {
            return CheckResult.Fail(title, $"{detail}; {grant.Kind} {grant.Name} grants use of {rbacMiss.r}, which differs in case from {credentialSpecName} (RBAC resourceNames are case-sensitive)",
                $"change resourceNames in {grant.Kind} {grant.Name} to [{credentialSpecName}], or replace the hand-written RBAC with a GmsaBinding (spec.credentialSpecName: {credentialSpecName}, spec.serviceAccounts: [{serviceAccount}])");
        }
        return CheckResult.Fail(title, detail,
            $"create a GmsaBinding in {@namespace} with spec.credentialSpecName: {credentialSpecName} and spec.serviceAccounts: [{serviceAccount}] (gmsa-operator credspec convert CredSpec.json --with-binding {@namespace}:{serviceAccount} writes one)");
    }

    public static IEnumerable<CheckResult> Pod(string @namespace, PodState pod, IReadOnlyDictionary<string, CredentialSpecState> specs)
    {
        var recreate = $"delete the pod so it is created again through the webhook: kubectl -n {@namespace} delete pod {pod.Name} (its controller recreates it; check the namespace is not labelled {Entities.Deployment.OperatorDeployment.DisabledNamespaceLabel}=true)";
        foreach (var block in pod.Blocks)
        {
            var title = $"pod {pod.Name}: {Where(block)} credential spec expanded";
            if (block.Name is not { } name)
            {
                if (block.Contents is not null)
                {
                    yield return CheckResult.Fail(title, "gmsaCredentialSpec is set without gmsaCredentialSpecName", "set gmsaCredentialSpecName and remove the inline gmsaCredentialSpec; the webhook fills it in");
                }
                continue;
            }
            if (block.Contents is null)
            {
                yield return CheckResult.Fail(title, $"names {name} but gmsaCredentialSpec is empty: the pod was created while the webhook was absent (or its namespace is excluded)", recreate);
                continue;
            }
            if (!specs.TryGetValue(name, out var spec)) continue; // reported by the existence check
            yield return GoJsonEquality.CredentialSpecsEqual(block.Contents, spec.CanonicalCredspec!, out var error)
                ? CheckResult.Pass(title, $"matches {name}")
                : CheckResult.Fail(title, $"the inline gmsaCredentialSpec does not match {name}{(error is null ? "" : $": {error}")} (the credspec changed after the pod was created?)", recreate);
        }

        var nodeTitle = $"pod {pod.Name} scheduled on a Windows node";
        if (pod.NodeName is null)
        {
            yield return CheckResult.Fail(nodeTitle, "the pod is not scheduled yet",
                $"see why: kubectl -n {@namespace} describe pod {pod.Name}; GMSA pods need nodeSelector kubernetes.io/os: windows and a Windows node with capacity");
        }
        else if (!pod.NodeExists)
        {
            yield return CheckResult.Fail(nodeTitle, $"node {pod.NodeName} does not exist", $"delete the pod so it is rescheduled: kubectl -n {@namespace} delete pod {pod.Name}");
        }
        else if (!string.Equals(pod.NodeOs, "windows", StringComparison.Ordinal))
        {
            yield return CheckResult.Fail(nodeTitle, $"node {pod.NodeName} runs {pod.NodeOs ?? "an unknown OS (no kubernetes.io/os label)"}",
                "add nodeSelector kubernetes.io/os: windows to the pod template: GMSA works only on Windows nodes");
        }
        else
        {
            yield return CheckResult.Pass(nodeTitle, $"node {pod.NodeName}");
        }
    }

    /// <summary>Levenshtein distance, for did-you-mean on typos.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    private static string Where(GmsaBlock block) => block.Kind == GmsaBlockKind.Pod ? "pod-level" : $"{block.KindText} {block.ResourceName}";

    /// <summary>The documentation's in-pod troubleshooting, shown once the cluster side is healthy.</summary>
    public static IReadOnlyList<string> InPodChecks(string? domain, string? podName, string @namespace)
    {
        var d = string.IsNullOrEmpty(domain) ? "<domain>" : domain;
        var exec = podName is null ? "kubectl exec -it <pod> -- powershell" : $"kubectl -n {@namespace} exec -it {podName} -- powershell";
        return
        [
            $"The cluster side is healthy. If the container still cannot reach the domain, check from inside it ({exec}):",
            "  nltest /parentdomain                  # the container is joined to the domain's forest",
            $"  nslookup {d}                # DNS finds the domain controllers",
            "  nltest /query                         # the secure channel to a domain controller works",
            $"  nltest /sc_reset:{d}        # if /query fails: reset the secure channel",
            "containerd notes:",
            "  - Windows Server 2019 nodes need build 17763.1817 or later (KB5000822) for GMSA with containerd.",
            "  - If SMB shares work by IP address but not by host name, set on the node",
            "    reg add \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\hns\\State\" /v EnableCompartmentNamespace /t REG_DWORD /d 1",
            "    and recreate the running pods.",
        ];
    }
}
