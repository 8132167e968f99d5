namespace GmsaOperator.LocalControlPlane;

/// <summary>Waiting for a started process (or group of them) to answer, with its log's tail when it does not.</summary>
internal static class ReadinessWait
{
    /// <summary>Polls <paramref name="probe"/> until it holds; false after <paramref name="timeout"/> or as soon as one of
    /// <paramref name="watched"/> has exited (a probe error means "not up yet").</summary>
    public static async Task<bool> UntilAsync(IReadOnlyCollection<ManagedProcess> watched, TimeSpan timeout, Func<CancellationToken, Task<bool>> probe,
        CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (!cts.IsCancellationRequested)
        {
            if (watched.Any(p => p.HasExited)) return false;
            try
            {
                if (await probe(cts.Token)) return true;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or k8s.Autorest.HttpOperationException or TaskCanceledException)
            {
                // not up yet
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    public static ControlPlaneException NotReady(ManagedProcess process, string sentence)
    {
        var tail = process.LastLogLines(15);
        return new ControlPlaneException(
            $"{sentence} (log: {process.LogFile}); last lines:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", tail)}");
    }
}
