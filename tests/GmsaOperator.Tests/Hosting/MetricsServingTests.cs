using GmsaOperator.Operator.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GmsaOperator.Tests.Hosting;

/// <summary>Metrics are authenticated HTTPS by default in a pod, plain loopback HTTP outside one; configuration can say otherwise.</summary>
public sealed class MetricsServingTests
{
    private static MetricsOptions Resolve(bool inPod, Dictionary<string, string?>? settings = null, Action<MetricsOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddMetricsServing(configuration, inPod, "gmsa-system", configure);
        return services.BuildServiceProvider().GetRequiredService<IOptions<MetricsOptions>>().Value;
    }

    [Test]
    public void SecureOnPort8443InAPod_PlainOutsideOne()
    {
        var inPod = Resolve(inPod: true);
        Assert.That((inPod.Secure, inPod.Port, inPod.AuthCacheTtl, inPod.AuthCacheSize), Is.EqualTo((true, 8443, TimeSpan.FromSeconds(10), 1000)));
        Assert.That(Resolve(inPod: false).Secure, Is.False);
    }

    [Test]
    public void ConfigurationOverridesTheDefault()
    {
        var options = Resolve(inPod: true, new() { ["Metrics:Secure"] = "false", ["Metrics:Port"] = "9000", ["Metrics:AuthCacheTtl"] = "00:00:30" });
        Assert.That((options.Secure, options.Port, options.AuthCacheTtl), Is.EqualTo((false, 9000, TimeSpan.FromSeconds(30))));
        Assert.That(Resolve(inPod: false, new() { ["Metrics:Secure"] = "true" }).Secure, Is.True);
    }

    [TestCase("Metrics:Port", "0")]
    [TestCase("Metrics:AuthCacheTtl", "-00:00:01")]
    [TestCase("Metrics:AuthCacheSize", "-1")]
    public void InvalidSettingsAreRejected(string key, string value) =>
        Assert.Throws<OptionsValidationException>(() => Resolve(inPod: true, new() { [key] = value }));

    [Test]
    public void CertificateNamesTheMetricsService() =>
        Assert.That(MetricsServing.ServiceDnsNames("ops"), Does.Contain("gmsa-operator-controller-manager-metrics-service.ops.svc"));
}
