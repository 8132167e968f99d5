using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Webhooks.Registration;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>The doctor's webhook checks: configurations, caBundles and the certificate each endpoint serves.</summary>
public static partial class DoctorChecks
{
    public static IEnumerable<CheckResult> Webhooks(IReadOnlyList<WebhookConfigurationState> configurations, IReadOnlyList<ServedCertificate> served, DateTimeOffset now)
    {
        foreach (var configuration in configurations)
        {
            var title = $"{configuration.Kind} {configuration.Name} present";
            if (configuration.Webhooks is not { } hooks)
            {
                yield return CheckResult.Fail(title, "it does not exist, so pods are neither expanded nor validated",
                    "deploy the operator with kubectl apply -k config/default (it registers them), or in local mode run gmsa-operator run; use --webhook-configuration if yours has another name");
                continue;
            }
            if (!hooks.Any(h => h.Name == AdmissionWebhookConfigurations.PodWebhookName))
            {
                yield return CheckResult.Fail(title, $"it has no {AdmissionWebhookConfigurations.PodWebhookName} webhook", "re-apply it: kubectl apply -k config/default");
                continue;
            }
            yield return CheckResult.Pass(title, $"{hooks.Count} webhook(s)");

            foreach (var hook in hooks)
            {
                foreach (var check in Webhook(configuration, hook, served, now)) yield return check;
            }
        }
    }

    private static IEnumerable<CheckResult> Webhook(WebhookConfigurationState configuration, WebhookState hook, IReadOnlyList<ServedCertificate> served, DateTimeOffset now)
    {
        var title = $"{configuration.Kind} {configuration.Name}: {hook.Name} caBundle";
        var fix = $"the operator's certificate controller writes the caBundle: check its logs and restart it (kubectl -n {Entities.Deployment.OperatorDeployment.Namespace} rollout restart deploy/{Entities.Deployment.OperatorDeployment.ManagerDeploymentName}); in local mode restart gmsa-operator run";
        if (hook.CaBundle is not { Length: > 0 } bundle)
        {
            yield return CheckResult.Fail(title, "caBundle is empty: the API server cannot trust the webhook", fix);
            yield break;
        }
        var authorities = ParseBundle(bundle);
        if (authorities.Count == 0)
        {
            yield return CheckResult.Fail(title, "caBundle holds no PEM certificate", fix);
            yield break;
        }
        var expired = authorities.Where(c => c.NotAfter.ToUniversalTime() < now.UtcDateTime).ToList();
        if (expired.Count == authorities.Count)
        {
            yield return CheckResult.Fail(title, $"every CA in the caBundle has expired (last {expired.Max(c => c.NotAfter.ToUniversalTime()):u})", fix);
            yield break;
        }

        if (hook.Url is null)
        {
            yield return CheckResult.Warn(title,
                $"caBundle holds {authorities.Count} CA certificate(s); the webhook is the in-cluster service {hook.Service}, which the doctor cannot reach from outside the cluster, so the certificate it serves was not checked");
            yield break;
        }
        var probe = served.FirstOrDefault(s => SameEndpoint(s.Url, hook.Url));
        if (probe?.Certificate is not { } leaf)
        {
            yield return CheckResult.Fail(title, $"cannot fetch the certificate served at {hook.Url}: {probe?.Error ?? "not probed"}",
                "the webhook is not being served: start the operator (make run / gmsa-operator run)");
            yield break;
        }
        if (Verify(leaf, authorities, new Uri(hook.Url).Host, now) is { } problem)
        {
            yield return CheckResult.Fail(title, $"the caBundle does not verify the certificate served at {hook.Url}: {problem}", fix);
            yield break;
        }
        var left = leaf.NotAfter.ToUniversalTime() - now.UtcDateTime;
        yield return left < ExpiryWarning
            ? CheckResult.Warn(title, $"verifies the served certificate, which expires in {Ago(left)} ({leaf.NotAfter.ToUniversalTime():u})", "the certificate controller should have rotated it by now: check the operator's logs")
            : CheckResult.Pass(title, $"verifies the served certificate (expires {leaf.NotAfter.ToUniversalTime():u})");
    }

    /// <summary>Null when <paramref name="leaf"/> chains to one of <paramref name="authorities"/> and names <paramref name="host"/>; else the problem.</summary>
    public static string? Verify(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> authorities, string host, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities.ToArray());
        if (!chain.Build(leaf))
        {
            var reasons = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
            return $"chain not trusted ({string.Join(", ", reasons)})";
        }
        return leaf.MatchesHostname(host.Trim('[', ']')) ? null : $"the certificate does not name {host}";
    }

    public static IReadOnlyList<X509Certificate2> ParseBundle(byte[] bundle) => Certificates.Pem.ParseCertificates(bundle, out _);

    private static bool SameEndpoint(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
        && string.Equals(x.GetLeftPart(UriPartial.Authority), y.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
}
