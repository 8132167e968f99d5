using GmsaOperator.Webhooks;
using GmsaOperator.Webhooks.Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Webhooks.ClientCertificates;

/// <summary>The <c>Webhooks:ClientCaFile</c> policy: start-up checks, the mode logged once, reloads, throttled refusals.</summary>
public sealed class WebhookClientAuthenticationTests
{
    private static readonly DateTimeOffset Now = new(2031, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private string _dir = "";

    private string CaFile => Path.Combine(_dir, "client-ca.crt");

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("client-ca").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Unset_AnyClient_AndSaysSoOnce()
    {
        var logger = new ListLogger<WebhookClientAuthentication>();

        var clients = WebhookClientAuthentication.Create("", new FakeTimeProvider(Now), logger);

        Assert.That(clients.Required, Is.False);
        Assert.That(clients.Accepts(null, null), Is.True);
        Assert.That(logger.Entries.Single().Message, Does.StartWith("webhook client certificates not required"));
    }

    [Test]
    public void Set_LogsSubjectAndFingerprintOnly_AndRequiresItsClients()
    {
        using var pki = ClientPki.Create("CN=apiserver-client-ca", Now);
        using var other = ClientPki.Create("CN=other-ca", Now);
        File.WriteAllText(CaFile, pki.CaPem);
        var logger = new ListLogger<WebhookClientAuthentication>();
        using var good = pki.Issue("CN=kube-apiserver", Now);
        using var foreign = other.Issue("CN=kube-apiserver", Now);

        using var clients = WebhookClientAuthentication.Create(CaFile, new FakeTimeProvider(Now), logger);

        Assert.That(clients.Required, Is.True);
        var started = logger.Entries.Single().Message;
        Assert.That(started, Does.StartWith($"webhook client certificates required: callers must chain to {CaFile}: CN=apiserver-client-ca (sha256 "));
        Assert.That(started, Does.Not.Contain(Convert.ToBase64String(pki.Ca.RawData)[..40]), "never the certificate itself");
        Assert.That(clients.Accepts(good, null), Is.True);
        Assert.That(clients.Accepts(foreign, null), Is.False);
        Assert.That(clients.Accepts(null, null), Is.False);
    }

    [Test]
    public void Refusals_AreLoggedOncePerMinute_WithTheCountHeldBack()
    {
        using var pki = ClientPki.Create("CN=ca", Now);
        File.WriteAllText(CaFile, pki.CaPem);
        var time = new FakeTimeProvider(Now);
        var logger = new ListLogger<WebhookClientAuthentication>();
        using var clients = WebhookClientAuthentication.Create(CaFile, time, logger);

        for (var i = 0; i < 3; i++) clients.Accepts(null, null);
        time.Advance(TimeSpan.FromMinutes(1));
        clients.Accepts(null, null);

        var refusals = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.That(refusals, Is.EqualTo(new[]
        {
            "webhook TLS handshake refused: client certificate none: no client certificate (0 more refused since the last report)",
            "webhook TLS handshake refused: client certificate none: no client certificate (2 more refused since the last report)",
        }));
    }

    [Test]
    public void ChangedCaFile_IsReloaded_AndABrokenOneKeepsTheLastGoodCa()
    {
        using var first = ClientPki.Create("CN=first", Now);
        using var second = ClientPki.Create("CN=second", Now);
        File.WriteAllText(CaFile, first.CaPem);
        var time = new FakeTimeProvider(Now);
        var logger = new ListLogger<WebhookClientAuthentication>();
        using var fromFirst = first.Issue("CN=a", Now);
        using var fromSecond = second.Issue("CN=b", Now);
        using var clients = WebhookClientAuthentication.Create(CaFile, time, logger);

        File.WriteAllText(CaFile, second.CaPem);
        time.Advance(WebhookClientAuthentication.ReloadInterval);
        Assert.That((clients.Accepts(fromFirst, null), clients.Accepts(fromSecond, null)), Is.EqualTo((false, true)));
        Assert.That(logger.Entries.Select(e => e.Message), Has.Some.StartsWith($"webhook client CA reloaded from {CaFile}: CN=second"));

        File.WriteAllText(CaFile, "garbage");
        time.Advance(WebhookClientAuthentication.ReloadInterval);
        Assert.That(clients.Accepts(fromSecond, null), Is.True, "the last good CA stays");
        Assert.That(logger.Entries.Select(e => e.Message), Has.Some.EqualTo($"webhook client CA {CaFile} changed but cannot be used (the file holds no PEM certificate); keeping the previous CA"));
    }

    [TestCase("missing", "the file does not exist")]
    [TestCase("garbage", "the file holds no PEM certificate")]
    public void UnusableCaFile_FailsStartup_NamingTheSetting(string content, string problem)
    {
        if (content != "missing") File.WriteAllText(CaFile, content);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGmsaWebhooks(configure: o => o.ClientCaFile = CaFile);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<WebhookOptions>>().Value);

        Assert.That(error!.Message, Does.Contain($"Webhooks:ClientCaFile '{CaFile}' cannot be used: {problem}"));
        var thrown = Assert.Throws<InvalidOperationException>(() => WebhookClientAuthentication.Create(CaFile, TimeProvider.System, new ListLogger<WebhookClientAuthentication>()));
        Assert.That(thrown!.Message, Is.EqualTo($"Webhooks:ClientCaFile '{CaFile}' cannot be used: {problem}"));
    }
}
