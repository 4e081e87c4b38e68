using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// Wraps a server-sent-events body: passes it through line by line, records extras of each <c>data:</c> event,
/// and throws <c>stream-interrupted</c> when the body ends before <c>data: [DONE]</c> — the SDK would otherwise
/// report a cut-off stream as a shorter success. A body whose first line is not an SSE line at all (JSON, HTML)
/// is <c>malformed-response</c>: the provider answered something other than an event stream.
/// </summary>
internal sealed class SseGuardStream(Stream inner, WireExchange exchange, string? sentKey = null) : ReadOnlyForwardStream
{
    /// <summary>How much of an unexpected body an error message quotes.</summary>
    internal const int QuotedBytes = 160;
    private static readonly string[] SseFields = ["data", "event", "id", "retry"];
    private static readonly byte[] DataPrefix = "data:"u8.ToArray();
    private static readonly byte[] Done = "[DONE]"u8.ToArray();
    // Pooled: a stream is one request, and 36 KB of fresh buffers per request was most of what a short stream allocated.
    private byte[] _readBuffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private byte[] _line = ArrayPool<byte>.Shared.Rent(4 * 1024);
    private int _lineLength;
    private byte[] _output = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private bool _returned;
    private int _outputStart;
    private int _outputEnd;
    private bool _innerEnded;

    // Pooled state machines: a paced stream's reads mostly complete later, and each would otherwise allocate one.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (_outputStart == _outputEnd)
        {
            if (_innerEnded) return 0;
            var read = await inner.ReadAsync(_readBuffer, cancellationToken).ConfigureAwait(false);
            _outputStart = _outputEnd = 0;
            if (read == 0)
            {
                _innerEnded = true;
                if (_lineLength > 0) CompleteLine();
                if (!exchange.StreamCompleted)
                {
                    throw new ProviderException(ErrorKeys.StreamInterrupted,
                        $"The response stream ended without [DONE] after {exchange.StreamEvents} events; the reply is incomplete.")
                    {
                        RequestId = exchange.RequestId,
                    };
                }
                continue;
            }
            Consume(_readBuffer.AsSpan(0, read));
        }
        var count = Math.Min(destination.Length, _outputEnd - _outputStart);
        _output.AsSpan(_outputStart, count).CopyTo(destination.Span);
        _outputStart += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private void Consume(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            var part = newline < 0 ? bytes : bytes[..(newline + 1)];
            Append(ref _line, ref _lineLength, part);
            bytes = bytes[part.Length..];
            if (newline >= 0) CompleteLine();
        }
    }

    private void CompleteLine()
    {
        var line = _line.AsSpan(0, _lineLength);
        byte[]? rewritten = null;
        if (exchange.StreamEvents == 0 && !exchange.StreamCompleted && !IsSseLine(line))
        {
            var head = line.Length > QuotedBytes ? line[..QuotedBytes] : line;
            throw NotAnEventStream(200, exchange.Header("content-type"), head.ToArray(), exchange, sentKey);
        }
        if (line.StartsWith(DataPrefix))
        {
            var payload = line[DataPrefix.Length..].Trim(" \r\n"u8);
            if (payload.SequenceEqual(Done))
            {
                exchange.StreamCompleted = true;
            }
            else if (!payload.IsEmpty)
            {
                exchange.StreamEvents++;
                var newPayload = WireJson.InspectChunk(payload, exchange);
                if (newPayload is not null) rewritten = [.. "data: "u8, .. newPayload, .. "\n"u8];
            }
        }
        AppendOutput(rewritten ?? line);
        _lineLength = 0;
    }

    /// <summary>Blank, a comment (<c>:</c>…), or a field line (<c>data</c>, <c>event</c>, <c>id</c>, <c>retry</c>).</summary>
    private static bool IsSseLine(ReadOnlySpan<byte> line)
    {
        var text = line.Trim(" \t\r\n"u8);
        if (text.StartsWith("\uFEFF"u8)) text = text[3..]; // the SSE spec allows one leading byte-order mark
        if (text.IsEmpty || text[0] == (byte)':') return true;
        var colon = text.IndexOf((byte)':');
        var field = Encoding.ASCII.GetString(colon < 0 ? text : text[..colon]);
        return SseFields.Contains(field, StringComparer.Ordinal);
    }

    /// <summary>Reads up to <see cref="QuotedBytes"/> bytes from the start of a body, for an error message.</summary>
    internal static async Task<byte[]> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[QuotedBytes];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            filled += read;
        }
        return buffer[..filled];
    }

    /// <summary>
    /// malformed-response for a 200 to a streaming request that is not an event stream. The message says what arrived
    /// (content type, the first bytes, control characters shown as spaces); the key sent, should the body echo it, is masked.
    /// </summary>
    internal static ProviderException NotAnEventStream(int status, string? contentType, byte[] head, WireExchange exchange, string? sentKey)
    {
        var text = Encoding.UTF8.GetString(head);
        if (!string.IsNullOrEmpty(sentKey)) text = text.Replace(sentKey, "[key]", StringComparison.Ordinal);
        text = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        var shown = head.Length == 0 ? "an empty body" : $"a body starting with `{text}`" + (head.Length >= QuotedBytes ? " …" : "");
        return new ProviderException(ErrorKeys.MalformedResponse,
            $"A streaming request was answered with HTTP {status} and Content-Type '{contentType ?? "(none)"}', not an event stream "
            + $"(text/event-stream): {shown}. The provider did not send the documented streaming shape.")
        {
            HttpStatus = status, RequestId = exchange.RequestId,
        };
    }

    private void AppendOutput(ReadOnlySpan<byte> bytes)
    {
        if (_outputStart > 0 && _outputStart == _outputEnd) _outputStart = _outputEnd = 0;
        Append(ref _output, ref _outputEnd, bytes);
    }

    private static void Append(ref byte[] buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + bytes.Length));
            buffer.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }
        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            if (!_returned)
            {
                _returned = true;
                ArrayPool<byte>.Shared.Return(_readBuffer);
                ArrayPool<byte>.Shared.Return(_line);
                ArrayPool<byte>.Shared.Return(_output);
                _readBuffer = _line = _output = [];
            }
        }
        base.Dispose(disposing);
    }

}
