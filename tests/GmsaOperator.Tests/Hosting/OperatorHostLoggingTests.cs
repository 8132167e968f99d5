using GmsaOperator.Operator.Hosting;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Tests.Hosting;

/// <summary>What the operator as built logs from ASP.NET: no per-request hosting diagnostics, the server's own warnings.</summary>
public sealed class OperatorHostLoggingTests
{
    [Test]
    public async Task HostingDiagnosticsAreOff_SoNoRequestGetsAnActivityOrScope_KestrelStillWarns()
    {
        await using var app = OperatorHost.Build(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }, [], healthPort: 1, operatorNamespace: "ops");
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        Assert.Multiple(() =>
        {
            // ASP.NET starts an Activity and a logging scope per request whenever this category is enabled at Critical.
            Assert.That(loggers.CreateLogger(OperatorHost.HostingDiagnosticsCategory).IsEnabled(LogLevel.Critical), Is.False);
            Assert.That(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning), Is.True);
            Assert.That(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Information), Is.False);
            Assert.That(loggers.CreateLogger("GmsaOperator.Webhooks.Http.AdmissionEndpoint").IsEnabled(LogLevel.Information), Is.True);
        });
    }
}
