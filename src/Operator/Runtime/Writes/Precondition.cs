namespace GmsaOperator.Runtime.Writes;

/// <summary>
/// The exact object a write was decided on: its UID and resourceVersion. A write or delete carrying it fails with
/// 409 Conflict when the object has changed or was replaced since, so a decision made from a cache never lands on
/// another object.
/// </summary>
public sealed record Precondition(string Uid, string ResourceVersion);
