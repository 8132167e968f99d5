using k8s.Models;

namespace GmsaOperator.Runtime.Events;

/// <summary>An event waiting in the recorder's buffer.</summary>
internal sealed record PendingEvent(V1ObjectReference Regarding, string Type, string Reason, string Action, string Note, DateTimeOffset At)
{
    /// <summary>Events with the same key aggregate into one series.</summary>
    public string AggregationKey => $"{Regarding.Uid}|{Regarding.NamespaceProperty}|{Regarding.Kind}|{Regarding.Name}|{Type}|{Reason}|{Action}|{Note}";
}
