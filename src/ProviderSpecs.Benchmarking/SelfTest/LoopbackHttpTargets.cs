using System.Buffers;
using System.IO.Pipelines;
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
/// SSE stream of the <see cref="PacedEndpoint"/>: marks each content chunk as it is parsed and reports the
/// server's served timing from the final event.
/// </summary>
public sealed class LoopbackStreamTarget(PacedEndpoint endpoint, TimeSpan firstChunkDelay, TimeSpan chunkGap, int chunks)
    : LoopbackHttpTarget(endpoint.StreamUri(firstChunkDelay, chunkGap, chunks), "paced-stream")
{
    private static readonly byte[] EventSeparator = "\n\n"u8.ToArray();
    private static readonly byte[] ContentPrefix = "data: {\"choices\""u8.ToArray();
    private static readonly byte[] ServedPrefix = "data: {\"served\""u8.ToArray();

    protected override async ValueTask<RequestOutcome> SendWithAsync(HttpClient client, RequestContext context, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(RequestUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) return RequestOutcome.Failed("http-" + (int)response.StatusCode, (int)response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 4096));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (TryReadEvent(ref buffer, out var sseEvent))
                {
                    if (StartsWith(sseEvent, ContentPrefix)) context.MarkChunk();
                    else if (StartsWith(sseEvent, ServedPrefix)) ReportServedTiming(sseEvent, context);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted) break;
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        return RequestOutcome.Success(statusCode: (int)response.StatusCode);
    }

    private static bool TryReadEvent(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> sseEvent)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out sseEvent, EventSeparator, advancePastDelimiter: true))
        {
            buffer = buffer.Slice(reader.Position);
            return true;
        }
        return false;
    }

    private static bool StartsWith(ReadOnlySequence<byte> sequence, byte[] prefix)
    {
        if (sequence.Length < prefix.Length) return false;
        return new SequenceReader<byte>(sequence).IsNext(prefix);
    }

    private static void ReportServedTiming(ReadOnlySequence<byte> sseEvent, RequestContext context)
    {
        using var json = JsonDocument.Parse(sseEvent.Slice("data: "u8.Length));
        var served = json.RootElement.GetProperty("served");
        var gaps = served.GetProperty("gapsUs");
        Span<TimeSpan> buffer = gaps.GetArrayLength() <= 256 ? stackalloc TimeSpan[gaps.GetArrayLength()] : new TimeSpan[gaps.GetArrayLength()];
        var i = 0;
        foreach (var gap in gaps.EnumerateArray()) buffer[i++] = TimeSpan.FromMicroseconds(gap.GetInt64());
        context.SetServedTiming(TimeSpan.FromMicroseconds(served.GetProperty("firstChunkUs").GetInt64()), buffer);
    }
}
