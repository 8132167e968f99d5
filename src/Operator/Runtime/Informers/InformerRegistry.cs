using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Runtime.Informers;

/// <summary>
/// One shared informer per (kind, namespace, label selector, field selector), all declared before start (by controllers, or
/// <c>AddCachedKind</c> for other readers); the runtime starts them all and stops them on shutdown.
/// </summary>
public sealed class InformerRegistry(IKubernetes client, OperatorRuntimeOptions options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(Type, string?, string?, string?), IInformer> _informers = [];
    private readonly List<Task> _loops = [];
    private readonly Dictionary<(Type, string), TaskCompletionSource<object>> _serverLists = [];

    // One pool for every kind: the same namespaces and names recur across kinds. Created on first use, once the
    // serializer options have every context registered.
    private readonly Lazy<System.Text.Json.JsonSerializerOptions?> _decoding =
        new(() => options.Informers.InternStrings ? new StringPool().DecodingOptions(KubernetesJsonTypes.Options) : null);
    private CancellationToken? _runToken;

    public IReadOnlyList<IInformer> All { get { lock (_lock) return [.. _informers.Values]; } }

    /// <summary>The informer for <typeparamref name="T"/> in <paramref name="scope"/> (default: the runtime's watch namespace, no selectors).</summary>
    public Informer<T> For<T>(InformerScope? scope = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        scope ??= InformerScope.Default;
        var ns = scope.ResolveNamespace(options.WatchNamespace);
        var key = (typeof(T), ns, scope.LabelSelector, scope.FieldSelector);
        lock (_lock)
        {
            if (_informers.TryGetValue(key, out var existing)) return (Informer<T>)existing;
            var type = ResourceType.Of<T>();
            var description = $"{type.Plural}.{(type.Group.Length == 0 ? "core" : type.Group)}{(ns is null ? "" : $" in {ns}")}"
                + $"{(scope.LabelSelector is null ? "" : $" [{scope.LabelSelector}]")}{(scope.FieldSelector is null ? "" : $" [{scope.FieldSelector}]")}";
            // A cache created on first read would answer "not found" until it synced: every kind is declared up front.
            if (_runToken is not null)
            {
                throw new InvalidOperationException(
                    $"{description} is read from the cache but was not declared before the informers started: declare it on a controller " +
                    $"(Owns/Watches/WatchesViaIndex/WithIndex) or with services.AddCachedKind<{typeof(T).Name}>().");
            }
            var informer = new Informer<T>(Source<T>(ns, scope.LabelSelector, scope.FieldSelector), description, options.Informers, time, loggers.CreateLogger($"{typeof(Informer<>).Namespace}.Informer"),
                store: new ObjectStore<T>(options.Informers.NamesOnly.Contains(typeof(T)) ? NamesOnlyReader<T>() : null));
            _informers[key] = informer;
            return informer;
        }
    }

    /// <summary>
    /// The objects of <paramref name="namespace"/> as the informer for <typeparamref name="T"/> would cache them, read
    /// from the API server's watch cache (as fresh as an informer's first list). Concurrent reads of one namespace share
    /// one request; a read that arrives after it finished sends its own.
    /// </summary>
    public Task<IReadOnlyList<T>> ListFromServerAsync<T>(string @namespace, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var key = (typeof(T), @namespace);
        TaskCompletionSource<object> mine;
        lock (_lock)
        {
            if (_serverLists.TryGetValue(key, out var pending)) return Typed<T>(pending.Task, cancellationToken);
            _serverLists[key] = mine = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _ = ListSharedAsync<T>(key, mine);
        return Typed<T>(mine.Task, cancellationToken);
    }

    // Not cancelled by one caller: others may be waiting on it (the runtime's token bounds it, or the HTTP timeout).
    private async Task ListSharedAsync<T>((Type, string) key, TaskCompletionSource<object> result) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            var list = await Source<T>(key.Item2, null, null).ListAsync(fromWatchCache: true, _runToken ?? CancellationToken.None);
            result.TrySetResult(list.Items);
        }
        catch (Exception e)
        {
            result.TrySetException(e);
        }
        finally
        {
            lock (_lock) _serverLists.Remove(key);
        }
    }

    private static async Task<IReadOnlyList<T>> Typed<T>(Task<object> list, CancellationToken cancellationToken) =>
        (IReadOnlyList<T>)await list.WaitAsync(cancellationToken);

    /// <summary>The object a reader of a names-only kind gets: the kind's own type holding the key's name and namespace.</summary>
    private static Func<ObjectKey, T> NamesOnlyReader<T>() where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var create = KubernetesJsonTypes.Of<T>().CreateObject
            ?? throw new InvalidOperationException($"{typeof(T).Name} cannot be cached names-only: its JSON contract creates no instance.");
        var type = ResourceType.Of<T>();
        return key =>
        {
            var obj = (T)create();
            obj.Metadata = new V1ObjectMeta { Name = key.Name, NamespaceProperty = key.Namespace };
            return type.Stamp(obj);
        };
    }

    private KubernetesResourceSource<T> Source<T>(string? @namespace, string? labelSelector, string? fieldSelector) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var namesOnly = options.Informers.NamesOnly.Contains(typeof(T));
        return new(client, @namespace, labelSelector, options.Informers.ListPageSize, options.Informers.StripManagedFields, fieldSelector,
            namesOnly || options.Informers.MetadataOnly.Contains(typeof(T)),
            // Names-only objects keep their (unique) names and nothing else: pooling those would only fill the pool that
            // the other kinds' repeated strings need; their store shares the namespace strings itself.
            namesOnly ? null : _decoding.Value,
            namesOnly: namesOnly,
            withoutLastApplied: options.Informers.WithoutLastApplied.Contains(typeof(T)));
    }

    /// <summary>
    /// Starts every informer until <paramref name="cancellationToken"/> is cancelled; no kind can be added afterwards.
    /// <paramref name="first"/> start at once, the others when those have synced or <paramref name="headStart"/> has passed.
    /// </summary>
    public void StartAll(CancellationToken cancellationToken, IReadOnlyCollection<IInformer>? first = null, TimeSpan headStart = default)
    {
        lock (_lock)
        {
            if (_runToken is not null) throw new InvalidOperationException("Informers already started.");
            _runToken = cancellationToken;
            var early = first is { Count: > 0 } && headStart > TimeSpan.Zero ? first : _informers.Values;
            foreach (var informer in early) _loops.Add(Task.Run(() => informer.RunAsync(cancellationToken), CancellationToken.None));
            var later = _informers.Values.Except(early).ToList();
            if (later.Count > 0) _loops.Add(StartLaterAsync(early, later, headStart, cancellationToken));
        }
    }

    private async Task StartLaterAsync(IEnumerable<IInformer> early, IReadOnlyList<IInformer> later, TimeSpan headStart, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(early.Select(i => i.WaitForSyncAsync(cancellationToken))).WaitAsync(headStart, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await Task.WhenAll(later.Select(informer => Task.Run(() => informer.RunAsync(cancellationToken), CancellationToken.None)));
    }

    /// <summary>Completes when every started loop has ended.</summary>
    public Task WhenStoppedAsync() { lock (_lock) return Task.WhenAll(_loops); }
}
