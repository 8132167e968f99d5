namespace GmsaOperator.Operator.Monitoring;

/// <summary>
/// One Prometheus alerting rule. <paramref name="Metrics"/> names every metric the expression reads, so tests can check
/// that the operator still exposes them.
/// </summary>
public sealed record AlertRule(string Name, string Expression, TimeSpan For, string Severity, string Summary, string Description,
    IReadOnlyList<string> Metrics);
