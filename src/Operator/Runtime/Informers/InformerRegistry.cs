using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Informers;

/// <summary>One shared informer per (kind, namespace, label selector); the runtime starts them all and stops them on shutdown.</summary>
public sealed class InformerRegistry(IKubernetes client, OperatorRuntimeOptions options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(Type, string?, string?), IInformer> _informers = [];
    private readonly List<Task> _loops = [];
    private CancellationToken? _runToken;

    public IReadOnlyList<IInformer> All { get { lock (_lock) return [.. _informers.Values]; } }

    /// <summary>The informer for <typeparamref name="T"/> in the runtime's watch namespace (or <paramref name="namespace"/>).</summary>
    public Informer<T> For<T>(string? @namespace = null, string? labelSelector = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var ns = @namespace ?? options.WatchNamespace;
        lock (_lock)
        {
            if (_informers.TryGetValue((typeof(T), ns, labelSelector), out var existing)) return (Informer<T>)existing;
            var type = ResourceType.Of<T>();
            var description = $"{type.Plural}.{(type.Group.Length == 0 ? "core" : type.Group)}{(ns is null ? "" : $" in {ns}")}{(labelSelector is null ? "" : $" [{labelSelector}]")}";
            var informer = new Informer<T>(new KubernetesResourceSource<T>(client, ns, labelSelector, options.Informers.ListPageSize, options.Informers.StripManagedFields),
                description, options.Informers, time, loggers.CreateLogger($"{typeof(Informer<>).Namespace}.Informer"));
            _informers[(typeof(T), ns, labelSelector)] = informer;
            if (_runToken is { } token) _loops.Add(Task.Run(() => informer.RunAsync(token), CancellationToken.None));
            return informer;
        }
    }

    /// <summary>Starts every informer (and any created later) until <paramref name="cancellationToken"/> is cancelled.</summary>
    public void StartAll(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_runToken is not null) throw new InvalidOperationException("Informers already started.");
            _runToken = cancellationToken;
            foreach (var informer in _informers.Values) _loops.Add(Task.Run(() => informer.RunAsync(cancellationToken), CancellationToken.None));
        }
    }

    /// <summary>Completes when every started loop has ended.</summary>
    public Task WhenStoppedAsync() { lock (_lock) return Task.WhenAll(_loops); }
}
