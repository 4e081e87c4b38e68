using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// OpenAI SDK pipeline policy that (1) puts the request body in the provider's terms (its names for OpenAI's fields,
/// without the fields it refuses, with its own fields added), (2) records response headers and provider extras (x_groq, usage timings, a
/// whole completion's <c>message.reasoning</c>), (3) hides from the SDK a whole completion's finish reason its enum would
/// reject (Together's <c>eos</c>, Mistral's <c>model_length</c>, any other provider's word), and (4) fails a 200 to a streaming request that is not an event stream. The event stream
/// itself is read, and guarded, by <see cref="SseEventReader"/> with the attempt's exchange.
/// </summary>
internal sealed class ProviderWirePolicy : PipelinePolicy
{
    private static readonly string[] RecordedHeaders =
    [
        "x-request-id", "x-together-traceid", "retry-after", "content-type",
        "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
        "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-tokenlimit-limit", "x-tokenlimit-remaining",
    ];

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessAsync(message, pipeline, currentIndex).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var exchange = WireExchange.Current;
        if (exchange is null)
        {
            await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
            return;
        }
        if (exchange.RewritesBody && message.Request.Content is { } content)
            message.Request.Content = await RewriteBodyAsync(content, exchange, message.CancellationToken).ConfigureAwait(false);

        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);

        var response = message.Response!;
        exchange.Status = response.Status;
        foreach (var name in RecordedHeaders)
            if (response.Headers.TryGetValue(name, out var value) && value is not null) exchange.Headers[name] = value;
        if (response.IsError) return;

        if (message.BufferResponse)
        {
            var normalised = WireJson.InspectCompletion(response.Content, exchange);
            if (normalised is not null) response.ContentStream = new MemoryStream(normalised, writable: false);
        }
        else if (response.ContentStream is { } stream)
        {
            exchange.SentKey = BearerToken(message);
            // A 200 to a streaming request that is not an event stream (e.g. a cut-off JSON body) is the provider answering
            // something other than the documented shape: malformed-response, not a stream that broke off.
            if (response.Headers.TryGetValue("Content-Type", out var contentType) && !string.IsNullOrWhiteSpace(contentType)
                && !contentType.TrimStart().StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                var head = await SseEventReader.ReadHeadAsync(stream, message.CancellationToken).ConfigureAwait(false);
                // Thrown from the body's first read, like every other stream failure, so the SDK's pipeline is left as it expects.
                response.ContentStream = new FailedBodyStream(SseEventReader.NotAnEventStream(response.Status, contentType, head, exchange, exchange.SentKey));
            }
        }
    }

    /// <summary>The key this request sent, so text quoted from a response can be scrubbed of it (never shown).</summary>
    private static string? BearerToken(PipelineMessage message) =>
        message.Request.Headers.TryGetValue("Authorization", out var value) && value is not null
        && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && value.Length > 7
            ? value[7..].Trim()
            : null;

    /// <summary>
    /// The request body in the provider's terms: the fields the SDK wrote under OpenAI's names sent under the provider's,
    /// those it refuses left out, and the provider's own fields added.
    /// </summary>
    private static async Task<BinaryContent> RewriteBodyAsync(BinaryContent content, WireExchange exchange, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.WriteToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var body = JsonNode.Parse(buffer.ToArray())!.AsObject();
        foreach (var (openAiName, providerName) in exchange.RenamedFields)
            if (body.Remove(openAiName, out var value)) body[providerName] = value;
        foreach (var name in exchange.OmittedFields) body.Remove(name);
        foreach (var (name, value) in exchange.ExtraBody) body[name] = value?.DeepClone();
        return BinaryContent.Create(BinaryData.FromString(body.ToJsonString()));
    }
}

/// <summary>A response body that fails with a known error on its first read.</summary>
internal sealed class FailedBodyStream(Exception failure) : ReadOnlyForwardStream
{
    public override int Read(byte[] buffer, int offset, int count) => throw failure;
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw failure;
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw failure;
}

/// <summary>Reads the provider extras out of completion and chunk JSON.</summary>
internal static class WireJson
{
    private static readonly byte[] FinishKey = "\"finish_reason\""u8.ToArray();
    private static readonly byte[] XGroq = "\"x_groq\""u8.ToArray();
    private static readonly byte[] UsageTime = "\"total_time\""u8.ToArray();

    /// <summary>
    /// Records extras of a whole completion; returns rewritten bytes when a finish reason is one the SDK's enum does not
    /// take (Together's <c>eos</c>, Mistral's <c>model_length</c>, any other provider's word). The SDK reads a placeholder,
    /// <c>stop</c>, and the call puts the word back on the reply, normalised where the layer knows it
    /// (<see cref="ProviderChatClient"/>); a stream's chunks need no rewrite, as the layer's decoder reads any word.
    /// </summary>
    public static byte[]? InspectCompletion(BinaryData body, WireExchange exchange)
    {
        var bytes = body.ToMemory().Span;
        InspectJson(bytes, exchange, wholeCompletion: true);
        return ReplaceForeignFinishReasons(bytes);
    }

    /// <summary>Records extras of one SSE data payload.</summary>
    public static void InspectChunk(ReadOnlySpan<byte> payload, WireExchange exchange)
    {
        // Only chunks carrying extras are parsed, so ordinary content chunks cost a few byte scans.
        if (payload.IndexOf(XGroq) >= 0 || payload.IndexOf(UsageTime) >= 0 || HasFinishReason(payload))
            InspectJson(payload, exchange, wholeCompletion: false);
    }

    private static void InspectJson(ReadOnlySpan<byte> json, WireExchange exchange, bool wholeCompletion)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return; // the SDK reports malformed JSON itself
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            if (root.TryGetProperty("x_groq", out var xGroq) && xGroq.ValueKind == JsonValueKind.Object)
            {
                if (xGroq.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String) exchange.ProviderResponseId = id.GetString();
                if (xGroq.TryGetProperty("usage", out var groqUsage)) ReadTimings(groqUsage, exchange);
            }
            if (root.TryGetProperty("usage", out var usage)) ReadTimings(usage, exchange);
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                var firstChoice = wholeCompletion;
                foreach (var choice in choices.EnumerateArray())
                {
                    // A streamed chunk's empty reason finishes nothing; a whole completion's is kept as sent (it has no other).
                    if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String
                        && (firstChoice || !string.IsNullOrWhiteSpace(reason.GetString())))
                        exchange.RawFinishReason = reason.GetString();
                    // The first choice's, as the adapter reads reasoning_content ($.choices[0].message.reasoning_content).
                    if (wholeCompletion && exchange.Reasoning is null && choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
                        && !(message.TryGetProperty("reasoning_content", out var standard) && standard.ValueKind == JsonValueKind.String)
                        && message.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.String)
                        exchange.Reasoning = reasoning.GetString();
                    wholeCompletion = false;
                }
            }
        }
    }

    private static void ReadTimings(JsonElement usage, WireExchange exchange)
    {
        if (usage.ValueKind != JsonValueKind.Object || !usage.TryGetProperty("total_time", out _)) return;
        double? queue = Seconds(usage, "queue_time"), prompt = Seconds(usage, "prompt_time"),
            completion = Seconds(usage, "completion_time"), totalTime = Seconds(usage, "total_time");
        exchange.Timings = new GroqTimings(Span(queue), Span(prompt), Span(completion), Span(totalTime))
        {
            QueueSeconds = queue, PromptSeconds = prompt, CompletionSeconds = completion, TotalSeconds = totalTime,
        };
    }

    private static double? Seconds(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static TimeSpan? Span(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    /// <summary>Whether a <c>"finish_reason"</c> key carries a string (any whitespace around the colon), not null.</summary>
    private static bool HasFinishReason(ReadOnlySpan<byte> json)
    {
        var rest = json;
        while (true)
        {
            var at = rest.IndexOf(FinishKey);
            if (at < 0) return false;
            rest = rest[(at + FinishKey.Length)..];
            if (ValueStart(rest) is var value && value >= 0 && rest[value] == (byte)'"') return true;
        }
    }

    /// <summary>Index of the value after <c>: </c> (JSON whitespace allowed either side of the colon), or -1.</summary>
    private static int ValueStart(ReadOnlySpan<byte> afterKey)
    {
        var i = SkipWhitespace(afterKey, 0);
        if (i >= afterKey.Length || afterKey[i] != (byte)':') return -1;
        i = SkipWhitespace(afterKey, i + 1);
        return i < afterKey.Length ? i : -1;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> bytes, int i)
    {
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i;
    }

    private static readonly byte[] PlaceholderFinishReason = "\"stop\""u8.ToArray();

    /// <summary>The finish reasons the OpenAI SDK's enum takes.</summary>
    internal static readonly string[] OpenAiFinishReasons = ["stop", "length", "tool_calls", "content_filter", "function_call"];

    /// <summary>
    /// Rewrites every <c>"finish_reason"</c> string outside <see cref="OpenAiFinishReasons"/> to the placeholder <c>stop</c>,
    /// whatever JSON whitespace surrounds the colon; null when there is none (the common case, no allocation). The raw
    /// value is recorded before (<see cref="WireExchange.RawFinishReason"/>).
    /// </summary>
    internal static byte[]? ReplaceForeignFinishReasons(ReadOnlySpan<byte> json)
    {
        List<byte>? output = null;
        var copied = 0;
        var searchFrom = 0;
        while (true)
        {
            var at = json[searchFrom..].IndexOf(FinishKey);
            if (at < 0) break;
            var afterKey = searchFrom + at + FinishKey.Length;
            searchFrom = afterKey;
            var value = ValueStart(json[afterKey..]);
            if (value < 0) continue;
            var valueAt = afterKey + value;
            if (ForeignStringLength(json[valueAt..]) is not { } length) continue;
            output ??= new List<byte>(json.Length + 8);
            output.AddRange(json[copied..valueAt]);
            output.AddRange(PlaceholderFinishReason);
            copied = valueAt + length;
            searchFrom = copied;
        }
        if (output is null) return null;
        output.AddRange(json[copied..]);
        return output.ToArray();
    }

    /// <summary>The length, quotes included, of a JSON string value outside <see cref="OpenAiFinishReasons"/>; null for any other value.</summary>
    private static int? ForeignStringLength(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value[0] != (byte)'"') return null;
        var close = value[1..].IndexOf((byte)'"');
        if (close < 0) return null;
        return OpenAiFinishReasons.Contains(Encoding.UTF8.GetString(value.Slice(1, close))) ? null : close + 2;
    }

    internal static string Describe(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
