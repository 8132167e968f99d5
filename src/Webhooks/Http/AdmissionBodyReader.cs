using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GmsaOperator.Webhooks.Http;

/// <summary>
/// Reads an admission request's body into memory granted by the shared <see cref="BodyBudget"/> as the bytes arrive:
/// a first share of at most <see cref="FirstShare"/> (most reviews fit), then the declared length (or, without one,
/// doubling). A declared length costs nothing until the first share has arrived, and the whole body must arrive within
/// <see cref="Deadline"/>: a share held by a caller that stops sending is given back then.
/// </summary>
public sealed class AdmissionBodyReader(long maxRequestBodyBytes, BodyBudget? bodies, TimeProvider time)
{
    /// <summary>The share a body starts with (or its declared length, if smaller).</summary>
    public const int FirstShare = 16 * 1024;

    /// <summary>
    /// Longest a body waits for room to grow before its request is refused with 503. Inside the API server's 5 s
    /// webhook timeout, so the refusal, not a timeout, is what the API server reports.
    /// </summary>
    public static readonly TimeSpan RoomWait = TimeSpan.FromSeconds(2);

    /// <summary>How long the whole body may take to arrive; the API server sends one at once and gives up after 5 s.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(4);

    /// <summary>A body and its share of the budget, held while the request is decided and answered.</summary>
    public sealed class Body(byte[] bytes, BodyBudget.Lease? share) : IDisposable
    {
        public byte[] Bytes { get; } = bytes;

        public void Dispose() => share?.Dispose();
    }

    public long Capacity => bodies?.Capacity ?? long.MaxValue;

    /// <exception cref="BodyTooLargeException">More than the limit arrived without a declared length.</exception>
    /// <exception cref="BodyOverloadedException">The budget had no room for it within <see cref="RoomWait"/>.</exception>
    /// <exception cref="BodyTimeoutException">It did not arrive within <see cref="Deadline"/>.</exception>
    public async Task<Body> ReadAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = maxRequestBodyBytes;
        }
        // Kestrel ends a body with a Content-Length at that length and fails a shorter one (an IOException).
        var declared = context.Request.ContentLength;
        var limit = Math.Min(declared ?? maxRequestBodyBytes, maxRequestBodyBytes);
        using var deadline = new CancellationTokenSource(Deadline, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline.Token);
        // Every buffer is allocated only after its share is granted: a caller waiting for room costs nothing more.
        var first = (int)Math.Min(limit, FirstShare);
        var share = await ShareAsync(null, first, context.RequestAborted, either.Token).ConfigureAwait(false);
        var buffer = new byte[first];
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length == declared) break;
                    if (length == limit)
                    {
                        if (await ReadAsync(context, new byte[1], deadline, either.Token).ConfigureAwait(false) > 0) throw new BodyTooLargeException();
                        break;
                    }
                    // A declared length is reserved in one step once the first share is full: growing by doubling
                    // would leave every smaller buffer behind as large-object garbage.
                    var size = (int)(declared ?? Math.Min(limit, buffer.Length * 2L));
                    share = await ShareAsync(share, size - buffer.Length, context.RequestAborted, either.Token).ConfigureAwait(false);
                    var larger = new byte[size];
                    buffer.AsSpan(0, length).CopyTo(larger);
                    buffer = larger;
                }
                var read = await ReadAsync(context, buffer.AsMemory(length), deadline, either.Token).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }
            return new Body(length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray(), share);
        }
        catch
        {
            share?.Dispose();
            throw;
        }
    }

    private static async Task<int> ReadAsync(HttpContext context, Memory<byte> into, CancellationTokenSource deadline, CancellationToken either)
    {
        try
        {
            return await context.Request.Body.ReadAsync(into, either).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            throw new BodyTimeoutException();
        }
    }

    /// <summary>The first share (<paramref name="share"/> null) or more of it; without a budget, nothing is counted.</summary>
    private async Task<BodyBudget.Lease?> ShareAsync(BodyBudget.Lease? share, long more, CancellationToken callerGone, CancellationToken either)
    {
        if (bodies is null) return null;
        try
        {
            if (share is null) return await bodies.AcquireAsync(more, RoomWait, either).ConfigureAwait(false) ?? throw new BodyOverloadedException();
            return await share.GrowAsync(more, RoomWait, either).ConfigureAwait(false) ? share : throw new BodyOverloadedException();
        }
        catch (OperationCanceledException) when (!callerGone.IsCancellationRequested)
        {
            // The deadline ended the wait for room: the budget's fault (503). A caller that left is nobody's to answer.
            throw new BodyOverloadedException();
        }
    }
}

/// <summary>More than the limit arrived.</summary>
public sealed class BodyTooLargeException : Exception;

/// <summary>The shared body budget had no room in time.</summary>
public sealed class BodyOverloadedException : Exception;

/// <summary>The body did not arrive in time.</summary>
public sealed class BodyTimeoutException : Exception;
