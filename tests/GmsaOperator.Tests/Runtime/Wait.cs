namespace GmsaOperator.Tests.Runtime;

/// <summary>Wait-for-condition for unit tests that run real background loops (no fixed sleeps).</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (!condition())
        {
            if (cts.IsCancellationRequested) Assert.Fail($"Timed out after {timeoutMs} ms waiting for {what}.");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
