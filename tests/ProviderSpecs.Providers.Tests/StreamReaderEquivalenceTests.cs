using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using ProviderSpecs.Providers.Chat;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// The layer reads event streams itself (<see cref="ProviderStreamingChatClient"/>); these tests hold it to what
/// Microsoft.Extensions.AI's OpenAI adapter yields from the OpenAI SDK's own parse of the same bytes: every update, in
/// order, serialised with M.E.AI's own JSON options (text, role, finish reason, ids, created time, model, usage, reasoning,
/// tool calls, refusals), the same request body, and the same kind of failure for unreadable chunks.
/// </summary>
public class StreamReaderEquivalenceTests
{
    private const string Created = "\"created\":1730241104";

    private static string Event(string json) => "data: " + json + "\n\n";

    private static string Chunk(string delta, string? finish = null, string extra = "", string id = "chatcmpl-eq", string model = "llama-3.1-8b-instant") =>
        Event($$"""{"id":"{{id}}","object":"chat.completion.chunk",{{Created}},"model":"{{model}}","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}]{{extra}}}""");

    public static IEnumerable<TestCaseData> Streams()
    {
        yield return new TestCaseData(Stub.GroqStream()).SetName("Groq stream with x_groq and a usage-only last chunk");
        yield return new TestCaseData(
            Chunk("""{"role":"assistant","content":""}""") + Chunk("""{"content":"Hi \"there\" \u00e9\ud83d\ude00"}""") + Chunk("{}", "length")
            + Event("""{"id":"chatcmpl-eq","object":"chat.completion.chunk","created":1730241104,"model":"llama-3.1-8b-instant","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"queue_time":0.01,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":1,"audio_tokens":0}},"service_tier":"on_demand"}""")
            + "data: [DONE]\n\n").SetName("Role, escapes, length, usage details and service tier");
        yield return new TestCaseData(
            Chunk("""{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}""")
            + Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}""")
            + Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}},{"index":1,"id":"call_2","type":"function","function":{"name":"noop","arguments":"{}"}}]}""")
            + Chunk("{}", "tool_calls") + "data: [DONE]\n\n").SetName("Tool calls gathered into a last update");
        yield return new TestCaseData(
            Chunk("""{"role":"assistant","reasoning_content":"thinking"}""") + Chunk("""{"refusal":"no"}""") + Chunk("""{"content":null,"refusal":null}""")
            + Chunk("""{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"not json"}}]}""") + Chunk("{}", "stop")
            + "data: [DONE]\n\nignored after done").SetName("Reasoning, refusals and a tool call with unparsable arguments");
        yield return new TestCaseData(
            ": keep-alive\n\nevent: message\nid: 7\nretry: 5\n" + Chunk("""{"content":"a"}""", model: "")
            + Event("""{"id":null,"choices":[{"delta":{"content":"b","role":"ASSISTANT"},"finish_reason":null},{"delta":{"content":"second choice"},"index":1}]}""")
            + Event("""{"choices":[{"delta":{"content":"c"},"finish_reason":"STOP","index":0}],"x_groq":{"id":"req_1"}}""")
            + "data: [DONE]\n\n").SetName("Comments, fields, no created, empty model, second choice, upper-case enum values");
        yield return new TestCaseData(
            Chunk("""{"content":[{"type":"text","text":"part one"},{"type":"text","text":" two"}]}""") + Chunk("{}", "content_filter", id: "other-id")
            + "data: [DONE]\n\n").SetName("Content as an array of parts, content filter, a changing id");
        yield return new TestCaseData(
            "\uFEFF" + (Chunk("""{"role":"assistant","content":"crlf"}""") + Chunk("{}", "stop")).Replace("\n", "\r\n") + "data: [DONE]\r\n\r\n")
            .SetName("A byte-order mark and CRLF line endings");
        yield return new TestCaseData(
            "data: {\"id\":\"chatcmpl-eq\",\n" + "data:\"choices\":[{\"index\":0,\"delta\":{\"content\":\"two lines\"}}]}\n\n"
            + "event: ping\ndata: {\"choices\":[{\"delta\":{\"content\":\" and a field\"},\"finish_reason\":\"stop\"}]}\nid: 9\n\n"
            + "data: [DONE]\n\n").SetName("One event's data over two lines; fields around a data line");
        yield return new TestCaseData(
            Chunk("""{"content":"last"}""") + "data: {\"choices\":[{\"delta\":{\"content\":\" unterminated\"}}]}")
            .SetName("A body that ends without [DONE], its last event without a blank line");
    }

    [TestCaseSource(nameof(Streams))]
    public async Task The_layer_yields_what_the_adapter_yields_from_the_same_stream(string sse)
    {
        var (expected, expectedBody) = await CollectAsync(sse, lean: false);
        var (actual, actualBody) = await CollectAsync(sse, lean: true);
        actualBody.ShouldBe(expectedBody);
        actual.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++) actual[i].ShouldBe(expected[i], $"update {i}");
    }

    [TestCase("data: {not json\n\ndata: [DONE]\n\n")]
    [TestCase("data: \"a string\"\n\ndata: [DONE]\n\n")]
    [TestCase("data: null\n\ndata: [DONE]\n\n")]
    [TestCase("data: {\"choices\":[{\"delta\":{\"role\":7}}]}\n\ndata: [DONE]\n\n")]
    [TestCase("data: \n\ndata: [DONE]\n\n")]
    [TestCase("data: {\"choices\":[{\"delta\":{\"role\":\"narrator\"}}]}\n\ndata: [DONE]\n\n")]
    [TestCase("data: {\"created\":1.5}\n\ndata: [DONE]\n\n")]
    public async Task An_unreadable_chunk_fails_as_it_did_with_the_sdk(string sse)
    {
        var expected = await Should.ThrowAsync<Exception>(() => CollectAsync(sse, lean: false));
        var actual = await Should.ThrowAsync<Exception>(() => CollectAsync(sse, lean: true));
        // Mapped to the same error key, whether the chunk came first or mid-stream.
        foreach (var started in new[] { false, true })
            Key(actual, started).ShouldBe(Key(expected, started), actual.ToString());
    }

    [Test]
    public async Task A_finish_reason_the_sdk_did_not_know_is_kept_where_the_sdk_failed()
    {
        // The one intended difference: a provider's own finish reason (DeepSeek's insufficient_system_resource) is a
        // valid chunk, not a malformed one. The SDK failed the stream on it; the layer keeps the update and the word.
        const string sse = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"insufficient_system_resource\"}]}\n\ndata: [DONE]\n\n";
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => CollectAsync(sse, lean: false));
        var (updates, _) = await CollectAsync(sse, lean: true);
        updates.Count.ShouldBe(2);
        updates[1].ShouldContain("\"insufficient_system_resource\"");
    }

    private static string Key(Exception e, bool streamStarted) =>
        Errors.ErrorMapper.FromException(e, Registry.ProviderRegistry.Default.Resolve("groq"), "m", streamStarted).ErrorKey;

    private static async Task<(List<string> Updates, string? Body)> CollectAsync(string sse, bool lean)
    {
        var handler = new ForwardOnlySseHandler(sse);
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9/openai/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(new HttpClient(handler)),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        IChatClient chat = lean
            ? new ProviderStreamingChatClient(new ProviderSdkChatClient("llama-3.1-8b-instant", new ApiKeyCredential(Stub.GroqKey), options).AsIChatClient())
            : new OpenAIClient(new ApiKeyCredential(Stub.GroqKey), options).GetChatClient("llama-3.1-8b-instant").AsIChatClient();
        var updates = new List<string>();
        var chatOptions = new ChatOptions { MaxOutputTokens = 32, Temperature = 0.5f, Tools = [AIFunctionFactory.Create((string city) => city, "get_weather")] };
        await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "hi")], chatOptions))
            updates.Add(JsonSerializer.Serialize(update, AIJsonUtilities.DefaultOptions));
        return (updates, handler.Bodies.Single());
    }

    /// <summary>Answers one event stream whose body reads forward only, as a network stream does.</summary>
    private sealed class ForwardOnlySseHandler(string sse) : HttpMessageHandler
    {
        public List<string?> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken));
            var content = new StreamContent(new ForwardOnly(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(sse))));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content };
        }
    }

    private sealed class ForwardOnly(Stream inner) : ReadOnlyForwardStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    }
}
