using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Writes;

/// <summary>Writes to the API server, each through the resilience pipeline.</summary>
public interface IObjectWriter
{
    /// <summary>Server-side apply of <paramref name="desired"/> (the fields this operator owns), with force. Returns the stored object.</summary>
    Task<T> ApplyAsync<T>(T desired, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>
    /// Server-side apply of <paramref name="desired"/> onto exactly the object <paramref name="precondition"/> names
    /// (its resourceVersion): 409 Conflict when it changed or was replaced since it was judged.
    /// </summary>
    Task<T> ApplyAsync<T>(T desired, Precondition precondition, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>
    /// Creates the object (POST): much cheaper for the API server than a server-side apply that creates, so it is the
    /// way to make an object the cache says is missing. Null when it already exists (the cache was behind, or somebody
    /// else's object has that name): the caller decides again once the cache has it, and never overwrites it blindly.
    /// </summary>
    Task<T?> CreateAsync<T>(T desired, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>
    /// Lets <paramref name="mutate"/> change the status of a copy of <paramref name="cached"/> (the cache is not touched;
    /// return false for "nothing to do") and writes it through /status guarded by resourceVersion: one request when the
    /// cache is current. A conflict (stale cache, or someone wrote in between) starts over from a fresh read. Null when
    /// the object is gone.
    /// </summary>
    Task<T?> UpdateStatusAsync<T>(T cached, Func<T, bool> mutate, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Reads the object from the API server (not the cache); null if it does not exist.</summary>
    Task<T?> GetAsync<T>(ObjectKey key, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Deletes the object (background propagation); true if it existed.</summary>
    Task<bool> DeleteAsync<T>(ObjectKey key, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Deletes exactly the object <paramref name="precondition"/> names (UID and resourceVersion): 409 Conflict when it changed or was replaced; false if gone.</summary>
    Task<bool> DeleteAsync<T>(ObjectKey key, Precondition precondition, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;
}
