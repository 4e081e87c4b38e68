using System.Buffers;
using System.Net;
using System.Text.Json;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.SelfTest;

/// <summary>
/// Plain <see cref="HttpClient"/> targets of the <see cref="PacedEndpoint"/>: one shared
/// <see cref="SocketsHttpHandler"/> for pooled runs, a fresh handler per request for
/// <see cref="ConnectionMode.NewConnectionPerRequest"/>.
/// </summary>
public abstract class LoopbackHttpTarget : IBenchmarkTarget, IDisposable
{
    private readonly HttpClient _pooled;

    protected LoopbackHttpTarget(Uri requestUri, string model)
    {
        RequestUri = requestUri;
        Model = model;
        _pooled = CreateClient();
    }

    public string Provider => "loopback";
    public string Model { get; }
    public Uri RequestUri { get; }

    private static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = int.MaxValue,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public async ValueTask<RequestOutcome> SendAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (context.ConnectionMode == ConnectionMode.Pooled) return await SendWithAsync(_pooled, context, cancellationToken).ConfigureAwait(false);
        using var fresh = CreateClient();
        return await SendWithAsync(fresh, context, cancellationToken).ConfigureAwait(false);
    }

    protected abstract ValueTask<RequestOutcome> SendWithAsync(HttpClient client, RequestContext context, CancellationToken cancellationToken);

    public void Dispose()
    {
        _pooled.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Tiny non-streaming GET of <see cref="PacedEndpoint.ZeroPath"/>: measures what the harness plus HttpClient cost.</summary>
public sealed class LoopbackZeroCostTarget(PacedEndpoint endpoint) : LoopbackHttpTarget(endpoint.ZeroUri, "zero-cost")
{
    protected override async ValueTask<RequestOutcome> SendWithAsync(HttpClient client, RequestContext context, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(RequestUri, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? RequestOutcome.Success(0, (int)response.StatusCode) : RequestOutcome.Failed("http-" + (int)response.StatusCode, (int)response.StatusCode);
    }
}

/// <summary>
/// SSE stream of the <see cref="PacedEndpoint"/>: marks each content chunk as it is read and reports the server's
/// served timing from the final event. It reads the body straight into one pooled buffer and scans it for event
/// boundaries: in the self-test a <c>PipeReader</c> over the body measured a longer tail (p99 +1–3 ms at c=64).
/// </summary>
public sealed class LoopbackStreamTarget(PacedEndpoint endpoint, TimeSpan firstChunkDelay, TimeSpan chunkGap, int chunks)
    : LoopbackHttpTarget(endpoint.StreamUri(firstChunkDelay, chunkGap, chunks), "paced-stream")
{
    private static ReadOnlySpan<byte> EventSeparator => "\n\n"u8;
    private static ReadOnlySpan<byte> ContentPrefix => "data: {\"choices\""u8;
    private static ReadOnlySpan<byte> ServedPrefix => "data: {\"served\""u8;

    protected override async ValueTask<RequestOutcome> SendWithAsync(HttpClient client, RequestContext context, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(RequestUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) return RequestOutcome.Failed("http-" + (int)response.StatusCode, (int)response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length) Grow(ref buffer);
                var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                filled += read;
                filled = ConsumeEvents(buffer, filled, context);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return RequestOutcome.Success(statusCode: (int)response.StatusCode);
    }

    /// <summary>Handles every complete event in the buffer and moves the incomplete rest to its start; returns the rest's length.</summary>
    private static int ConsumeEvents(byte[] buffer, int filled, RequestContext context)
    {
        var consumed = 0;
        while (true)
        {
            var pending = buffer.AsSpan(consumed, filled - consumed);
            var end = pending.IndexOf(EventSeparator);
            if (end < 0) break;
            var sseEvent = pending[..end];
            if (sseEvent.StartsWith(ContentPrefix)) context.MarkChunk();
            else if (sseEvent.StartsWith(ServedPrefix)) ReportServedTiming(sseEvent, context);
            consumed += end + EventSeparator.Length;
        }
        var rest = filled - consumed;
        if (consumed > 0 && rest > 0) buffer.AsSpan(consumed, rest).CopyTo(buffer);
        return rest;
    }

    private static void Grow(ref byte[] buffer)
    {
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.CopyTo(larger, 0);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = larger;
    }

    private static void ReportServedTiming(ReadOnlySpan<byte> sseEvent, RequestContext context)
    {
        var reader = new Utf8JsonReader(sseEvent["data: "u8.Length..]);
        using var json = JsonDocument.ParseValue(ref reader);
        var served = json.RootElement.GetProperty("served");
        var gaps = served.GetProperty("gapsUs");
        Span<TimeSpan> gapBuffer = gaps.GetArrayLength() <= 256 ? stackalloc TimeSpan[gaps.GetArrayLength()] : new TimeSpan[gaps.GetArrayLength()];
        var i = 0;
        foreach (var gap in gaps.EnumerateArray()) gapBuffer[i++] = TimeSpan.FromMicroseconds(gap.GetInt64());
        context.SetServedTiming(TimeSpan.FromMicroseconds(served.GetProperty("firstChunkUs").GetInt64()), gapBuffer);
    }
}
