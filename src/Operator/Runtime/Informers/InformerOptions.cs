namespace GmsaOperator.Runtime.Informers;

/// <summary>Timing of list/watch loops.</summary>
public sealed record InformerOptions
{
    /// <summary>Lower bound of the server-side watch timeout; each watch picks a random value in [min, max].</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxWatchTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Extra time past the watch timeout without any event or bookmark before the watchdog cancels and relists.</summary>
    public TimeSpan WatchdogMargin { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(4); // short: an operator talks to one API server and must see it again soon after an outage

    /// <summary>After this long without a failure the backoff starts again from <see cref="InitialBackoff"/>.</summary>
    public TimeSpan BackoffResetAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Drop <c>metadata.managedFields</c> before caching (controller-runtime's <c>TransformStripManagedFields</c>): often
    /// the largest part of an object, never needed by reconcilers, and omitting it on update keeps the server's copy.
    /// </summary>
    public bool StripManagedFields { get; init; } = true;

    /// <summary>Where a client-side <c>kubectl apply</c> keeps the object as last applied.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// Kinds cached without the <see cref="LastAppliedAnnotation"/> annotation, in which a client-side
    /// <c>kubectl apply</c> keeps a copy of the whole object as the user wrote it: for small objects that users apply from
    /// files, most of what the cache would hold, and read by nothing but kubectl. Only for kinds this process never
    /// writes back whole (patches and server-side apply only): replacing an object from the cache would drop it.
    /// </summary>
    public IReadOnlySet<Type> WithoutLastApplied { get; init; } = new HashSet<Type>();

    /// <summary>
    /// Kinds cached as metadata only (<c>PartialObjectMetadata</c> lists and watches): for kinds whose readers need names,
    /// labels and owners, never the rest. A fraction of the memory and of the API server's encoding work.
    /// </summary>
    public IReadOnlySet<Type> MetadataOnly { get; init; } = new HashSet<Type>();

    /// <summary>
    /// Kinds whose readers need only which objects exist: listed and watched as metadata (as <see cref="MetadataOnly"/>)
    /// and cached as keys (a names-only <see cref="ObjectStore{T}"/>; objects being deleted keep name, namespace, resource
    /// version and deletion timestamp). Readers get objects holding name and namespace; with tens of thousands of objects
    /// (service accounts) the objects and their metadata were most of the cache.
    /// </summary>
    public IReadOnlySet<Type> NamesOnly { get; init; } = new HashSet<Type>();

    /// <summary>
    /// Decode cached objects' short strings through one shared, bounded <see cref="StringPool"/>: the namespaces, labels,
    /// kinds and role names that thousands of objects repeat are then held once (about a fifth of a RoleBinding's heap).
    /// </summary>
    public bool InternStrings { get; init; } = true;

    /// <summary>
    /// The caches served outside controllers (webhooks; they gate readiness) list first; the others start once those
    /// have synced, or after this long at the latest. On a small node the first lists are CPU-bound on both sides, so
    /// the lists that readiness waits for finish sooner when they do not share it.
    /// </summary>
    public TimeSpan ServedHeadStart { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Page size of list calls.</summary>
    public int ListPageSize { get; init; } = 500;
}
