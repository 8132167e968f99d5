using System.Diagnostics;
using NUnit.Framework;

namespace GmsaOperator.TestSupport;

/// <summary>Waiting for a condition instead of sleeping: polls until it holds, and fails the test with what was awaited.</summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Polls <paramref name="condition"/> until it returns a value; exceptions count as "not yet" (the last one is
    /// reported). Fails after <paramref name="timeout"/>.
    /// </summary>
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
                await Task.Delay(Poll, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds}s waiting for {what}.{(last is null ? "" : $" Last error: {last.Message}")}");
        throw new UnreachableException();
    }

    /// <summary>Polls an in-memory <paramref name="condition"/> every 10 ms; fails after <paramref name="timeout"/> (default 5 s).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        using var cts = new CancellationTokenSource(limit);
        while (!condition())
        {
            if (cts.IsCancellationRequested) Assert.Fail($"Timed out after {limit.TotalSeconds}s waiting for {what}.");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
