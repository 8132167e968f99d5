using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Informers;

/// <summary>Thread-safe in-memory copy of one kind, keyed by namespace/name, with named secondary indexes.</summary>
/// <remarks>
/// A names-only store (<paramref name="namesOnly"/>: makes the object a reader sees from its key) keeps for each object
/// its key alone, unless it is being deleted (then the object as given, which a names-only source has already trimmed
/// to name, namespace, resource version and deletion timestamp). With tens of thousands of objects of a kind whose
/// readers only ask "does it exist" (service accounts), the object and its metadata were most of the cache. Readers get
/// an object made from the key on each read; indexes of such a store see only the name and namespace.
/// </remarks>
public sealed class ObjectStore<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private sealed record Index(Func<T, IEnumerable<string>> Values, Dictionary<string, IndexKeys> Entries);

    private readonly Lock _lock = new();
    // Null values only in a names-only store: the object exists, its key is all there is to know.
    private readonly Dictionary<ObjectKey, T?> _items = [];
    private readonly Dictionary<string, Index> _indexes = new(StringComparer.Ordinal);
    private readonly Func<ObjectKey, T>? _namesOnly;
    // A names-only store's keys share one string per namespace (its source does not pool strings).
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal);

    /// <summary>Every store is indexed by namespace, so listing one namespace never scans the others.</summary>
    private const string NamespaceIndex = "\0namespace";

    public ObjectStore(Func<ObjectKey, T>? namesOnly = null)
    {
        _namesOnly = namesOnly;
        AddIndex(NamespaceIndex, o => [o.Metadata.NamespaceProperty ?? ""]);
    }

    public int Count { get { lock (_lock) return _items.Count; } }

    public T? Get(ObjectKey key) { lock (_lock) return _items.TryGetValue(key, out var obj) ? Reader(key, obj) : null; }

    public IReadOnlyList<T> List() { lock (_lock) return [.. _items.Select(e => Reader(e.Key, e.Value))]; }

    /// <summary>
    /// Folds every object into <paramref name="seed"/> under the store's lock, without copying the store: with 10,000
    /// objects a <see cref="List()"/> is an 80 KB array on the large object heap, garbage that only a full collection
    /// frees, so a caller that runs often (a metrics scrape) should fold instead. <paramref name="fold"/> must be quick
    /// and must not touch the store.
    /// </summary>
    public TState Aggregate<TState>(TState seed, Func<TState, T, TState> fold)
    {
        lock (_lock)
        {
            var state = seed;
            foreach (var (key, obj) in _items) state = fold(state, Reader(key, obj));
            return state;
        }
    }

    /// <summary>The objects of one namespace (<c>""</c>: cluster-scoped ones), from the namespace index.</summary>
    public IReadOnlyList<T> List(string @namespace) => ByIndex(NamespaceIndex, @namespace);

    public IReadOnlyList<ObjectKey> Keys() { lock (_lock) return [.. _items.Keys]; }

    /// <summary>Adds an index (idempotent per name); existing objects are indexed at once.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> values)
    {
        lock (_lock)
        {
            if (_indexes.ContainsKey(name)) return;
            var index = new Index(values, new Dictionary<string, IndexKeys>(StringComparer.Ordinal));
            _indexes[name] = index;
            foreach (var (key, obj) in _items) AddToIndex(index, key, Reader(key, obj));
        }
    }

    /// <summary>Objects whose index <paramref name="name"/> yields <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ByIndex(string name, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(name, out var index)) throw new InvalidOperationException($"No index '{name}' on {typeof(T).Name}.");
            return index.Entries.TryGetValue(value, out var keys) ? [.. keys.All.Select(k => Reader(k, _items[k]))] : [];
        }
    }

    /// <summary>Inserts or replaces; returns the previous object, if any.</summary>
    public T? Upsert(T obj)
    {
        lock (_lock)
        {
            var key = KeyOf(obj);
            var old = RemoveUnlocked(key);
            _items[key] = Kept(obj);
            foreach (var index in _indexes.Values) AddToIndex(index, key, obj);
            return old;
        }
    }

    public T? Remove(ObjectKey key) { lock (_lock) return RemoveUnlocked(key); }

    /// <summary>Replaces the whole content with a fresh list; returns the changes, including deletes of objects that vanished.</summary>
    public IReadOnlyList<InformerEvent<T>> Replace(IEnumerable<T> fresh)
    {
        lock (_lock)
        {
            var changes = new List<InformerEvent<T>>();
            var seen = new HashSet<ObjectKey>();
            foreach (var obj in fresh)
            {
                var key = KeyOf(obj);
                seen.Add(key);
                var existed = _items.TryGetValue(key, out var held);
                var old = RemoveUnlocked(key);
                var kept = Kept(obj);
                _items[key] = kept;
                foreach (var index in _indexes.Values) AddToIndex(index, key, obj);
                if (!existed) changes.Add(new InformerEvent<T>(InformerEventType.Added, obj, null));
                // A names-only store knows no resource version of an object it holds as a key: only a change of what
                // it keeps (a deletion started) is an update there.
                else if (held is null && kept is null) continue;
                else if (held?.Metadata.ResourceVersion != obj.Metadata.ResourceVersion) changes.Add(new InformerEvent<T>(InformerEventType.Updated, obj, old));
            }
            foreach (var key in _items.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                changes.Add(new InformerEvent<T>(InformerEventType.Deleted, RemoveUnlocked(key)!, null));
            }
            return changes;
        }
    }

    private ObjectKey KeyOf(T obj)
    {
        var key = ObjectKey.Of(obj);
        if (_namesOnly is null || key.Namespace is null) return key;
        if (!_namespaces.TryGetValue(key.Namespace, out var shared)) _namespaces.Add(shared = key.Namespace);
        return key with { Namespace = shared };
    }

    /// <summary>What the store holds for <paramref name="obj"/>: nothing but its key in a names-only store, unless it is being deleted.</summary>
    private T? Kept(T obj) => _namesOnly is not null && obj.Metadata.DeletionTimestamp is null ? null : obj;

    private T Reader(ObjectKey key, T? held) => held ?? _namesOnly!(key);

    /// <summary>Removes the object; returns it as readers saw it.</summary>
    private T? RemoveUnlocked(ObjectKey key)
    {
        if (!_items.Remove(key, out var held)) return null;
        var old = Reader(key, held);
        foreach (var index in _indexes.Values)
        {
            foreach (var value in SafeValues(index, old))
            {
                if (index.Entries.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0) index.Entries.Remove(value);
            }
        }
        return old;
    }

    private static void AddToIndex(Index index, ObjectKey key, T obj)
    {
        foreach (var value in SafeValues(index, obj))
        {
            if (!index.Entries.TryGetValue(value, out var keys)) index.Entries[value] = keys = new IndexKeys();
            keys.Add(key);
        }
    }

    // A throwing index function must not corrupt the store: the object is simply not indexed.
    private static IEnumerable<string> SafeValues(Index index, T obj)
    {
        try
        {
            return index.Values(obj).ToList();
        }
        catch (Exception)
        {
            return [];
        }
    }

    /// <summary>
    /// The keys one index value maps to. Most values (a credspec's name, a service account) index one object, and a
    /// HashSet costs ~200 bytes even for one key; the set is made only for a second key.
    /// </summary>
    private sealed class IndexKeys
    {
        private ObjectKey _single;
        private bool _hasSingle;
        private HashSet<ObjectKey>? _many;

        public int Count => _many?.Count ?? (_hasSingle ? 1 : 0);

        public IEnumerable<ObjectKey> All => _many ?? (_hasSingle ? [_single] : []);

        public void Add(ObjectKey key)
        {
            if (_many is not null)
            {
                _many.Add(key);
            }
            else if (!_hasSingle)
            {
                (_single, _hasSingle) = (key, true);
            }
            else if (_single != key)
            {
                _many = [_single, key];
                (_single, _hasSingle) = (default, false);
            }
        }

        public bool Remove(ObjectKey key)
        {
            if (_many is not null) return _many.Remove(key);
            if (!_hasSingle || _single != key) return false;
            (_single, _hasSingle) = (default, false);
            return true;
        }
    }
}
