using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Operator.Certificates;
using k8s.Models;

namespace GmsaOperator.Tests.Certificates;

/// <summary>Shared builders for certificate tests: settings, Secrets, webhook observations.</summary>
internal static class CertificateTestKit
{
    public static readonly DateTimeOffset Start = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    public static CertificateSettings Settings(Action<CertificateSettings>? configure = null)
    {
        var s = new CertificateSettings { Namespace = "gmsa-system", ResourcePrefix = "gmsa-operator", ServiceName = "gmsa-webhook" };
        configure?.Invoke(s);
        return s;
    }

    public static CaMaterial Ca(DateTimeOffset now, CertificateSettings s, long generation = 1, params X509Certificate2[] alsoTrusted)
    {
        var ca = CertificateIssuer.CreateCa(now, s);
        return new CaMaterial(ca, TrustBundle.From([ca, .. alsoTrusted], now), generation, now);
    }

    public static V1Secret CaSecret(CaMaterial m, CertificateSettings s, string rv = "1") => CertificateSecrets.BuildCa(m, rv, s);

    public static V1Secret ServingSecret(X509Certificate2 leaf, X509Certificate2 issuer, CertificateSettings s, string rv = "1") =>
        CertificateSecrets.BuildServing(new LeafMaterial(leaf, issuer), rv, s);

    public static IReadOnlyList<ObservedWebhookConfiguration> WebhookConfigs(byte[]? bundle) =>
    [
        new(WebhookConfigurationKind.Mutating, "gmsa-operator", [new("admission.gmsa.dev", bundle)]),
        new(WebhookConfigurationKind.Validating, "gmsa-operator", [new("validate.gmsa.dev", bundle), new("binding.gmsa.dev", bundle)]),
    ];

    public static V1Secret Unlabelled(V1Secret s)
    {
        s.Metadata.Labels = new Dictionary<string, string>();
        return s;
    }

    /// <summary>A self-signed CA with another key, as a rogue or foreign CA.</summary>
    public static X509Certificate2 RogueCa(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=rogue", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(0));
        return request.CreateSelfSigned(now.AddHours(-1), now.AddDays(100));
    }

    public static T Single<T>(RotationPlan plan)
        where T : CertificateAction => plan.Actions.OfType<T>().Single();

    /// <summary>What carrying out every action of a plan at <paramref name="now"/> writes: the CA Secret's content, each injected bundle, the leaf.</summary>
    public sealed record Executed(CaMaterial? Ca, IReadOnlyList<(InjectCaBundle Action, TrustBundle Bundle)> Injections, LeafMaterial? Leaf);

    public static Executed Execute(RotationPlan plan, CertificateSettings s, DateTimeOffset now)
    {
        var materializer = new PlanMaterializer(plan, s);
        CaMaterial? ca = null;
        LeafMaterial? leaf = null;
        var injections = new List<(InjectCaBundle, TrustBundle)>();
        foreach (var action in plan.Actions)
        {
            switch (action)
            {
                case CaSecretAction write:
                    ca = materializer.Ca(write, now);
                    materializer.CaWritten(ca);
                    break;
                case InjectCaBundle inject:
                    injections.Add((inject, materializer.Published));
                    break;
                default:
                    leaf = materializer.Leaf(action, now);
                    break;
            }
        }
        return new Executed(ca, injections, leaf);
    }
}
