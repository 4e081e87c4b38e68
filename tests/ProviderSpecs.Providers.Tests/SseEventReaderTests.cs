using System.Text;
using System.Text.Json.Nodes;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// The layer's event-stream reader on its own: events whatever way the body's bytes arrive, long lines, what it guards
/// with an attempt's exchange, and that reading an event allocates nothing. (What it yields through the layer is held to
/// the OpenAI SDK's own parse by <see cref="StreamReaderEquivalenceTests"/>.)
/// </summary>
public class SseEventReaderTests
{
    private const string Stream = "data: {\"a\":1}\n\n: comment\nevent: x\ndata: {\"b\":\ndata: 2}\nid: 3\n\ndata: [DONE]\n\n";

    private static async Task<List<string>> ReadAllAsync(Stream body, WireExchange? exchange = null)
    {
        using var reader = new SseEventReader(body, exchange);
        var events = new List<string>();
        while (await reader.ReadDataAsync() is { } data) events.Add(Encoding.UTF8.GetString(data.Span));
        return events;
    }

    private static MemoryStream Body(string text) => new(Encoding.UTF8.GetBytes(text));

    [Test]
    public async Task Events_are_the_same_whether_the_body_arrives_whole_or_a_byte_at_a_time()
    {
        var whole = await ReadAllAsync(Body(Stream));
        whole.ShouldBe(["{\"a\":1}", "{\"b\":\n2}", "[DONE]"]);
        (await ReadAllAsync(new TrickleStream(Encoding.UTF8.GetBytes(Stream), 1))).ShouldBe(whole);
        (await ReadAllAsync(new TrickleStream(Encoding.UTF8.GetBytes(Stream.Replace("\n", "\r\n")), 3))).ShouldBe(whole);
    }

    [Test]
    public async Task A_line_longer_than_the_read_buffer_is_read_whole()
    {
        var text = new string('x', 100_000);
        var events = await ReadAllAsync(new TrickleStream(Encoding.UTF8.GetBytes($"data: {{\"content\":\"{text}\"}}\n\ndata: [DONE]\n\n"), 7_000));
        events.Count.ShouldBe(2);
        events[0].Length.ShouldBe(text.Length + 14);
        events[0].ShouldEndWith(text + "\"}");
    }

    [Test]
    public async Task An_event_whose_blank_line_never_came_is_dropped_and_without_an_exchange_the_end_is_not_an_error()
    {
        (await ReadAllAsync(Body("data: {\"a\":1}\n\ndata: {\"b\":2}"))).ShouldBe(["{\"a\":1}"]);
    }

    [Test]
    public async Task With_an_exchange_it_counts_events_records_extras_passes_eos_through_and_notes_done()
    {
        var exchange = new WireExchange(new Dictionary<string, JsonNode?>());
        var events = await ReadAllAsync(Body(
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{},\"finish_reason\" : \"eos\"}],\"x_groq\":{\"id\":\"req_7\"}}\n\n"
            + "data: [DONE]\n\n"), exchange);
        // The payload reaches the decoder as sent; the decoder reads eos as stop (ChatTests.Streamed_eos_is_normalised).
        events[1].ShouldBe("{\"choices\":[{\"delta\":{},\"finish_reason\" : \"eos\"}],\"x_groq\":{\"id\":\"req_7\"}}");
        exchange.StreamEvents.ShouldBe(2);
        exchange.StreamCompleted.ShouldBeTrue();
        exchange.ProviderResponseId.ShouldBe("req_7");
        exchange.RawFinishReason.ShouldBe("eos");
    }

    [Test]
    public async Task With_an_exchange_a_body_that_ends_before_done_is_stream_interrupted()
    {
        var exchange = new WireExchange(new Dictionary<string, JsonNode?>());
        var failure = await Should.ThrowAsync<ProviderException>(() => ReadAllAsync(Body("data: {\"a\":1}\n\ndata: {\"b\""), exchange));
        failure.ErrorKey.ShouldBe(ErrorKeys.StreamInterrupted);
        failure.Message.ShouldContain("after 2 events");
        // A final [DONE] without its line ending still completes the stream.
        (await ReadAllAsync(Body("data: {\"a\":1}\n\ndata: [DONE]"), new WireExchange(new Dictionary<string, JsonNode?>()))).ShouldBe(["{\"a\":1}"]);
    }

    [Test]
    public async Task With_an_exchange_a_body_that_is_not_an_event_stream_is_malformed_and_the_key_is_not_quoted()
    {
        var exchange = new WireExchange(new Dictionary<string, JsonNode?>()) { SentKey = Stub.GroqKey };
        var failure = await Should.ThrowAsync<ProviderException>(() => ReadAllAsync(Body($"{{\"error\":\"bad key {Stub.GroqKey}\"}}\n"), exchange));
        failure.ErrorKey.ShouldBe(ErrorKeys.MalformedResponse);
        failure.Message.ShouldContain("[key]");
        failure.Message.ShouldNotContain(Stub.GroqKey);
    }

    [Test]
    public async Task Reading_an_event_allocates_nothing()
    {
        var body = new StringBuilder();
        for (var i = 0; i < 2_000; i++) body.Append("data: {\"choices\":[{\"delta\":{\"content\":\"tok").Append(i).Append(" \"}}]}\n\n");
        var bytes = Encoding.UTF8.GetBytes(body.Append("data: [DONE]\n\n").ToString());
        using var warmUp = new SseEventReader(new MemoryStream(bytes), null);
        while (await warmUp.ReadDataAsync() is not null) { }

        var exchange = new WireExchange(new Dictionary<string, JsonNode?>());
        using var reader = new SseEventReader(new MemoryStream(bytes), exchange);
        var events = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        while (await reader.ReadDataAsync() is not null) events++;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        events.ShouldBe(2_001);
        allocated.ShouldBeLessThan(2_000, $"{allocated} bytes for {events} events");
    }

    /// <summary>A body that hands out at most a few bytes a read, completing each read later, as a network does.</summary>
    private sealed class TrickleStream(byte[] bytes, int perRead) : ReadOnlyForwardStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var count = Math.Min(Math.Min(perRead, buffer.Length), bytes.Length - _position);
            bytes.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return count;
        }
    }
}
