using k8s.Models;

namespace GmsaOperator.Runtime.Conditions;

/// <summary>metav1.Condition helpers: set keeps lastTransitionTime when the status does not change; conditions carry observedGeneration.</summary>
public static class ConditionExtensions
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    /// <summary>Sets (adds or updates) condition <paramref name="type"/>; returns true if anything changed.</summary>
    public static bool SetCondition(this IList<V1Condition> conditions, string type, string status, string reason, string message, long? observedGeneration, TimeProvider time)
    {
        if (status is not (True or False or Unknown)) throw new ArgumentException($"Condition status must be True, False or Unknown, not '{status}'.", nameof(status));
        if (string.IsNullOrEmpty(reason)) throw new ArgumentException("A condition needs a CamelCase reason.", nameof(reason));
        var existing = conditions.FindCondition(type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type, Status = status, Reason = reason, Message = message,
                ObservedGeneration = observedGeneration, LastTransitionTime = time.GetUtcNow().UtcDateTime,
            });
            return true;
        }
        var changed = false;
        if (existing.Status != status)
        {
            existing.Status = status;
            existing.LastTransitionTime = time.GetUtcNow().UtcDateTime;
            changed = true;
        }
        if (existing.Reason != reason) { existing.Reason = reason; changed = true; }
        if (existing.Message != message) { existing.Message = message; changed = true; }
        if (existing.ObservedGeneration != observedGeneration) { existing.ObservedGeneration = observedGeneration; changed = true; }
        return changed;
    }

    public static V1Condition? FindCondition(this IEnumerable<V1Condition>? conditions, string type)
    {
        // No LINQ: a lambda capturing the type allocates on every call, and some callers look at every cached object's
        // conditions. A list is read by index, so not even an enumerator is allocated.
        if (conditions is IList<V1Condition> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i].Type, type, StringComparison.Ordinal)) return list[i];
            }
            return null;
        }
        foreach (var condition in conditions ?? [])
        {
            if (string.Equals(condition.Type, type, StringComparison.Ordinal)) return condition;
        }
        return null;
    }

    public static bool IsConditionTrue(this IEnumerable<V1Condition>? conditions, string type) => conditions.FindCondition(type)?.Status == True;
}
