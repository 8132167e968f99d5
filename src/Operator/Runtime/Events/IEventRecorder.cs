using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Events;

/// <summary>Records events.k8s.io/v1 events. Never blocks and never throws: events are best effort.</summary>
public interface IEventRecorder
{
    /// <param name="type"><see cref="EventTypes.Normal"/> or <see cref="EventTypes.Warning"/>.</param>
    /// <param name="reason">CamelCase, machine-readable, e.g. <c>Applied</c>.</param>
    /// <param name="action">What was done/failed, e.g. <c>Reconcile</c>.</param>
    /// <param name="note">Human-readable; never put secrets in it.</param>
    void Record(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string action, string note);
}

/// <summary>Event types.</summary>
public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}
