namespace GmsaOperator.Operator.Monitoring;

/// <summary>Prometheus duration literals (<c>10m</c>, <c>1h</c>, <c>90s</c>, <c>250ms</c>): the largest unit that divides exactly.</summary>
public static class PrometheusDuration
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "Prometheus durations are not negative.");
        if (duration == TimeSpan.Zero) return "0s";
        var ms = (long)duration.TotalMilliseconds;
        if (TimeSpan.FromMilliseconds(ms) != duration) throw new ArgumentOutOfRangeException(nameof(duration), duration, "Prometheus durations are whole milliseconds.");
        foreach (var (unit, size) in Units)
        {
            if (ms % size == 0) return $"{ms / size}{unit}";
        }
        return $"{ms}ms";
    }

    private static readonly (string Unit, long Milliseconds)[] Units = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)];
}
