using System.Collections.Concurrent;
using GmsaOperator.Runtime.LeaderElection;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>A replica that cannot lead says why, in the API server's words, instead of campaigning silently.</summary>
public sealed class LeaderElectionErrorTests : IntegrationTest
{
    [Test]
    public async Task MissingNamespace_IsLoggedWithTheApiServersMessage()
    {
        var missing = $"{Namespace}-gone";
        var logs = new CapturingLoggerProvider();
        using var host = RuntimeHost.Build(missing, "replica-a", services: s => s.AddSingleton<ILoggerProvider>(logs));
        await host.StartAsync();
        try
        {
            var line = await Eventually.HoldsAsync(_ => Task.FromResult(logs.Lines.FirstOrDefault(l => l.Contains("Leader election:"))), TimeSpan.FromSeconds(15), "a leader-election error line");
            Assert.That(line, Does.Contain($"create of Lease {missing}/test-leader failed: NotFound: namespaces \"{missing}\" not found"));
            await Task.Delay(TimeSpan.FromSeconds(5)); // two more retries: held back, not logged
            Assert.That(logs.Lines.Count(l => l.Contains("Leader election:")), Is.EqualTo(1), "rate-limited");
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Test]
    public async Task Forbidden_IsLoggedWithTheApiServersMessage()
    {
        var logs = new CapturingLoggerProvider();
        // Impersonating a user without RBAC: what a ServiceAccount without config/default's Role gets.
        using var host = RuntimeHost.Build(Namespace, "replica-a", services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddSingleton<IKubernetes>(_ => new GmsaOperator.Runtime.Client.StreamingKubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath),
                new ImpersonatingHandler("no-rbac-user")));
        });
        await host.StartAsync();
        try
        {
            var line = await Eventually.HoldsAsync(_ => Task.FromResult(logs.Lines.FirstOrDefault(l => l.Contains("Leader election:"))), TimeSpan.FromSeconds(15), "a leader-election error line");
            Assert.That(line, Does.Contain($"get of Lease {Namespace}/test-leader failed: Forbidden: leases.coordination.k8s.io \"test-leader\" is forbidden: User \"no-rbac-user\""));
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
        }
    }
}

/// <summary>Collects formatted log lines of every category (Information and above).</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner._lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
