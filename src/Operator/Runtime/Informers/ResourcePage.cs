namespace GmsaOperator.Runtime.Informers;

/// <summary>A complete list result: every item and the list's resourceVersion, from which a watch continues.</summary>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion);
