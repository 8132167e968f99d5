namespace GmsaOperator.Webhooks;

/// <summary>Marker for the webhooks assembly (admission handlers arrive with the webhooks issue).</summary>
public static class WebhooksAssembly;
