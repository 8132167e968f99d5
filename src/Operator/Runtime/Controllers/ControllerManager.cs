using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>Runs the declared controllers: leader-only ones for each leadership term, the others on every replica from start.</summary>
public sealed class ControllerManager(
    IEnumerable<ControllerDefinition> definitions,
    InformerRegistry informers,
    IServiceScopeFactory scopes,
    RuntimeMetrics metrics,
    TimeProvider time,
    OperatorRuntimeOptions options,
    ILoggerFactory loggers)
{
    private readonly IReadOnlyList<ControllerDefinition> _definitions = [.. definitions];

    public IReadOnlyList<ControllerDefinition> Definitions => _definitions;

    /// <summary>Groups of controllers currently running (a leadership term, the every-replica ones), until their drain ends.</summary>
    public int Running => Volatile.Read(ref _running);

    private int _running;

    /// <summary>Creates informers and indexes for every controller; call before the informers start.</summary>
    public void Prepare()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var definition in _definitions)
        {
            if (!names.Add(definition.Name)) throw new InvalidOperationException($"Two controllers are named '{definition.Name}'.");
            definition.Prepare(informers);
        }
    }

    /// <summary>Runs every controller (leader election off: this replica is the only one).</summary>
    public Task RunAsync(CancellationToken stop) => RunAsync(_definitions, stop);

    /// <summary>Runs the leader-only controllers for one leadership term.</summary>
    public Task RunLeaderOnlyAsync(CancellationToken stop) => RunAsync([.. _definitions.Where(d => d.RequiresLeadership)], stop);

    /// <summary>Runs the controllers declared to run on every replica, from start until <paramref name="stop"/>.</summary>
    public Task RunEveryReplicaAsync(CancellationToken stop) => RunAsync([.. _definitions.Where(d => !d.RequiresLeadership)], stop);

    private async Task RunAsync(IReadOnlyList<ControllerDefinition> definitions, CancellationToken stop)
    {
        if (definitions.Count == 0) return;
        var logger = loggers.CreateLogger<Controller>();
        Interlocked.Increment(ref _running);
        try
        {
            await Task.WhenAll(definitions.Select(d =>
                new Controller(d, informers, scopes, metrics, time, options.DrainTimeout, logger).RunAsync(stop)));
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
