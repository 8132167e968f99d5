using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Informers;

/// <summary>Thread-safe in-memory copy of one kind, keyed by namespace/name, with named secondary indexes.</summary>
public sealed class ObjectStore<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private sealed record Index(Func<T, IEnumerable<string>> Values, Dictionary<string, HashSet<ObjectKey>> Entries);

    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectKey, T> _items = [];
    private readonly Dictionary<string, Index> _indexes = new(StringComparer.Ordinal);

    /// <summary>Every store is indexed by namespace, so listing one namespace never scans the others.</summary>
    private const string NamespaceIndex = "\0namespace";

    public ObjectStore() => AddIndex(NamespaceIndex, o => [o.Metadata.NamespaceProperty ?? ""]);

    public int Count { get { lock (_lock) return _items.Count; } }

    public T? Get(ObjectKey key) { lock (_lock) return _items.GetValueOrDefault(key); }

    public IReadOnlyList<T> List() { lock (_lock) return [.. _items.Values]; }

    /// <summary>The objects of one namespace (<c>""</c>: cluster-scoped ones), from the namespace index.</summary>
    public IReadOnlyList<T> List(string @namespace) => ByIndex(NamespaceIndex, @namespace);

    public IReadOnlyList<ObjectKey> Keys() { lock (_lock) return [.. _items.Keys]; }

    /// <summary>Adds an index (idempotent per name); existing objects are indexed at once.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> values)
    {
        lock (_lock)
        {
            if (_indexes.ContainsKey(name)) return;
            var index = new Index(values, new Dictionary<string, HashSet<ObjectKey>>(StringComparer.Ordinal));
            _indexes[name] = index;
            foreach (var (key, obj) in _items) AddToIndex(index, key, obj);
        }
    }

    /// <summary>Objects whose index <paramref name="name"/> yields <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ByIndex(string name, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(name, out var index)) throw new InvalidOperationException($"No index '{name}' on {typeof(T).Name}.");
            return index.Entries.TryGetValue(value, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>Inserts or replaces; returns the previous object, if any.</summary>
    public T? Upsert(T obj)
    {
        var key = ObjectKey.Of(obj);
        lock (_lock)
        {
            var old = RemoveUnlocked(key);
            _items[key] = obj;
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
                var key = ObjectKey.Of(obj);
                seen.Add(key);
                var old = RemoveUnlocked(key);
                _items[key] = obj;
                foreach (var index in _indexes.Values) AddToIndex(index, key, obj);
                if (old is null) changes.Add(new InformerEvent<T>(InformerEventType.Added, obj, null));
                else if (old.Metadata.ResourceVersion != obj.Metadata.ResourceVersion) changes.Add(new InformerEvent<T>(InformerEventType.Updated, obj, old));
            }
            foreach (var key in _items.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                changes.Add(new InformerEvent<T>(InformerEventType.Deleted, RemoveUnlocked(key)!, null));
            }
            return changes;
        }
    }

    private T? RemoveUnlocked(ObjectKey key)
    {
        if (!_items.Remove(key, out var old)) return null;
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
            if (!index.Entries.TryGetValue(value, out var keys)) index.Entries[value] = keys = [];
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
}
