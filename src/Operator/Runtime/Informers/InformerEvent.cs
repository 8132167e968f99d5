namespace GmsaOperator.Runtime.Informers;

/// <summary>What happened to an object in the cache.</summary>
public enum InformerEventType { Added, Updated, Deleted }

/// <summary>A cache change: <see cref="Object"/> is the new state (the last known state for deletes), <see cref="Old"/> the previous one.</summary>
public sealed record InformerEvent<T>(InformerEventType Type, T Object, T? Old) where T : class;
