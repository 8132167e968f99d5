using System.Diagnostics;

namespace GmsaOperator.EndToEndTests.Environment;

internal static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> returns a value, failing the test after <paramref name="timeout"/>.</summary>
    public static async Task<T> HoldsAsync<T>(Func<CancellationToken, Task<T?>> condition, TimeSpan timeout, string what)
        where T : class
    {
        using var cts = new CancellationTokenSource(timeout);
        Exception? last = null;
        while (!cts.IsCancellationRequested)
        {
            try
            {
                if (await condition(cts.Token) is { } result) return result;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                last = e;
            }
            try
            {
                await Task.Delay(200, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds}s waiting for {what}.{(last is null ? "" : $" Last error: {last.Message}")}");
        throw new UnreachableException();
    }
}
