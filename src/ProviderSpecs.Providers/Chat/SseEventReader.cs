using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// Reads a streamed chat answer's body event by event: the server-sent-events format (lines ending in <c>\n</c> or
/// <c>\r\n</c>, an optional byte-order mark first, comments and the <c>event</c>/<c>id</c>/<c>retry</c> fields skipped,
/// the <c>data</c> lines of one event joined by <c>\n</c>, an event ending at a blank line), straight
/// from the response body into pooled buffers: one pass over the bytes, and nothing allocated per event.
/// <para>
/// With the attempt's <see cref="WireExchange"/> it also guards the stream: it records each <c>data</c> payload's
/// extras (the decoder reads any finish reason, normalising Together's <c>eos</c> and Mistral's <c>model_length</c>), fails with
/// <c>stream-interrupted</c> when the body ends before <c>data: [DONE]</c> (a cut-off stream is not a shorter success),
/// and with <c>malformed-response</c> when a line before the first event is not an SSE line at all (JSON, HTML).
/// </para>
/// </summary>
internal sealed class SseEventReader(Stream body, WireExchange? exchange) : IDisposable
{
    /// <summary>How much of an unexpected body an error message quotes.</summary>
    internal const int QuotedBytes = 160;
    private static readonly string[] SseFields = ["data", "event", "id", "retry"];
    /// <summary>The least free space a read of the body gets; the unfinished line is moved to the front to make it.</summary>
    private const int MinimumRead = 1024;

    // Pooled: a stream is one request, and fresh buffers per request were most of what a short stream allocated.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _start;
    private int _end;
    private byte[] _data = ArrayPool<byte>.Shared.Rent(4 * 1024);
    private int _dataLength;
    private bool _hasData;
    private bool _firstLine = true;
    private bool _bodyEnded;
    private bool _returned;

    /// <summary>
    /// The next event's data (valid until the next call), or null when the body has ended. <c>[DONE]</c> is returned as
    /// data like any other: the caller stops there.
    /// </summary>
    public ValueTask<ReadOnlyMemory<byte>?> ReadDataAsync(CancellationToken cancellationToken = default) =>
        TakeEvent() is { } data ? new(data) : ReadAndTakeEventAsync(cancellationToken);

    /// <summary>The next event from what the buffer already holds, if it holds a whole one.</summary>
    private ReadOnlyMemory<byte>? TakeEvent()
    {
        while (TakeLine(out var lineStart, out var lineLength))
        {
            if (Line(_buffer.AsSpan(lineStart, lineLength))) return Dispatch();
        }
        return null;
    }

    // Pooled state machine: a paced stream's reads mostly complete later, and each would otherwise allocate one.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>?> ReadAndTakeEventAsync(CancellationToken cancellationToken)
    {
        while (!_bodyEnded)
        {
            MakeRoom();
            var read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0) _bodyEnded = true;
            else _end += read;
            if (TakeEvent() is { } data) return data;
        }
        // A last line without its line ending is still guarded (a final `data: [DONE]` completes the stream), but its
        // event is not dispatched: the SSE format, and the SDK's parser, drop an event whose blank line never came.
        if (_start < _end) Line(_buffer.AsSpan(_start, _end - _start));
        _start = _end;
        _dataLength = 0;
        _hasData = false;
        if (exchange is { StreamCompleted: false })
        {
            throw new ProviderException(ErrorKeys.StreamInterrupted,
                $"The response stream ended without [DONE] after {exchange.StreamEvents} events; the reply is incomplete.")
            {
                RequestId = exchange.RequestId,
            };
        }
        return null;
    }

    /// <summary>The next complete line in the buffer (without its line ending), consumed; false when none is complete yet.</summary>
    private bool TakeLine(out int start, out int length)
    {
        start = _start;
        var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
        if (newline < 0)
        {
            length = 0;
            return false;
        }
        length = newline > 0 && _buffer[_start + newline - 1] == (byte)'\r' ? newline - 1 : newline;
        _start += newline + 1;
        return true;
    }

    /// <summary>Keeps the unfinished line and frees space after it for the next read, growing the buffer for a long line.</summary>
    private void MakeRoom()
    {
        if (_start == _end) _start = _end = 0;
        if (_buffer.Length - _end >= MinimumRead) return;
        var pending = _end - _start;
        var target = _buffer.Length - pending >= MinimumRead ? _buffer : ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        _buffer.AsSpan(_start, pending).CopyTo(target); // may overlap: Span copies as memmove does
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }
        _start = 0;
        _end = pending;
    }

    /// <summary>Takes one line in; true when it was the blank line that ends an event with data.</summary>
    private bool Line(ReadOnlySpan<byte> line)
    {
        if (_firstLine)
        {
            _firstLine = false;
            if (line.StartsWith("\uFEFF"u8)) line = line[3..]; // the SSE format allows one leading byte-order mark
        }
        if (exchange is { StreamEvents: 0, StreamCompleted: false } && !IsSseLine(line))
        {
            var head = line.Length > QuotedBytes ? line[..QuotedBytes] : line;
            throw NotAnEventStream(200, exchange.Header("content-type"), head.ToArray(), exchange, exchange.SentKey);
        }
        if (line.IsEmpty) return _hasData;
        if (line[0] == (byte)':') return false; // a comment
        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        if (!field.SequenceEqual("data"u8)) return false; // event, id, retry and unknown fields: nothing the decoder reads
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (value.StartsWith(" "u8)) value = value[1..];
        AppendData(Guard(value));
        return false;
    }

    /// <summary>Records a data payload's extras and <c>[DONE]</c>; returns the payload the decoder gets.</summary>
    private ReadOnlySpan<byte> Guard(ReadOnlySpan<byte> value)
    {
        if (exchange is null) return value;
        var payload = value.Trim(" \t\r\n"u8);
        if (payload.SequenceEqual(StreamChunkDecoder.Done))
        {
            exchange.StreamCompleted = true;
            return payload;
        }
        if (payload.IsEmpty) return value;
        exchange.StreamEvents++;
        WireJson.InspectChunk(payload, exchange);
        return value;
    }

    private void AppendData(ReadOnlySpan<byte> value)
    {
        var needed = _dataLength + value.Length + 1;
        if (needed > _data.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_data.Length * 2, needed));
            _data.AsSpan(0, _dataLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = larger;
        }
        value.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += value.Length;
        _data[_dataLength++] = (byte)'\n';
        _hasData = true;
    }

    /// <summary>The gathered data without its last <c>\n</c>; the event's state is reset for the next one.</summary>
    private ReadOnlyMemory<byte> Dispatch()
    {
        var data = _data.AsMemory(0, _dataLength - 1);
        _dataLength = 0;
        _hasData = false;
        return data;
    }

    /// <summary>Blank, a comment (<c>:</c>…), or a field line (<c>data</c>, <c>event</c>, <c>id</c>, <c>retry</c>).</summary>
    private static bool IsSseLine(ReadOnlySpan<byte> line)
    {
        var text = line.Trim(" \t\r\n"u8);
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

    public void Dispose()
    {
        if (_returned) return;
        _returned = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_data);
        _buffer = _data = [];
    }
}
