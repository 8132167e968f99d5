using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>Runs every declared controller for one leadership term.</summary>
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

    /// <summary>Number of controllers currently running (between start of a term and the end of its drain).</summary>
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

    public async Task RunAsync(CancellationToken stop)
    {
        var logger = loggers.CreateLogger<Controller>();
        Interlocked.Increment(ref _running);
        try
        {
            await Task.WhenAll(_definitions.Select(d =>
                new Controller(d, informers, scopes, metrics, time, options.DrainTimeout, logger).RunAsync(stop)));
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
