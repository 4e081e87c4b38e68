using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// OpenAI SDK pipeline policy that (1) adds provider-specific fields to the request body, (2) records response
/// headers and provider extras (x_groq, usage timings), (3) normalises finish reasons the SDK would reject
/// (Together's <c>eos</c>), and (4) guards streams so one that ends without <c>[DONE]</c> fails.
/// </summary>
internal sealed class ProviderWirePolicy : PipelinePolicy
{
    private static readonly string[] RecordedHeaders =
    [
        "x-request-id", "x-together-traceid", "retry-after",
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
        if (exchange.ExtraBody.Count > 0 && message.Request.Content is { } content)
            message.Request.Content = await AddFieldsAsync(content, exchange.ExtraBody, message.CancellationToken).ConfigureAwait(false);

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
            response.ContentStream = new SseGuardStream(stream, exchange);
        }
    }

    private static async Task<BinaryContent> AddFieldsAsync(BinaryContent content, IReadOnlyDictionary<string, JsonNode?> fields, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.WriteToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var body = JsonNode.Parse(buffer.ToArray())!.AsObject();
        foreach (var (name, value) in fields) body[name] = value?.DeepClone();
        return BinaryContent.Create(BinaryData.FromString(body.ToJsonString()));
    }
}

/// <summary>Reads the provider extras out of completion and chunk JSON.</summary>
internal static class WireJson
{
    private static readonly byte[] EosFinish = "\"finish_reason\":\"eos\""u8.ToArray();
    private static readonly byte[] StopFinish = "\"finish_reason\":\"stop\""u8.ToArray();
    private static readonly byte[] XGroq = "\"x_groq\""u8.ToArray();
    private static readonly byte[] UsageTime = "\"total_time\""u8.ToArray();
    private static readonly byte[] FinishReason = "\"finish_reason\":\""u8.ToArray();

    /// <summary>Records extras of a whole completion; returns rewritten bytes when the finish reason needed normalising.</summary>
    public static byte[]? InspectCompletion(BinaryData body, WireExchange exchange)
    {
        var bytes = body.ToMemory().Span;
        InspectJson(bytes, exchange);
        return bytes.IndexOf(EosFinish) >= 0 ? Replace(bytes, EosFinish, StopFinish) : null;
    }

    /// <summary>Records extras of one SSE data payload; returns rewritten bytes when needed, else null.</summary>
    public static byte[]? InspectChunk(ReadOnlySpan<byte> payload, WireExchange exchange)
    {
        // Only chunks carrying extras are parsed, so ordinary content chunks cost a few byte scans.
        if (payload.IndexOf(XGroq) >= 0 || payload.IndexOf(UsageTime) >= 0 || payload.IndexOf(FinishReason) >= 0)
            InspectJson(payload, exchange);
        return payload.IndexOf(EosFinish) >= 0 ? Replace(payload, EosFinish, StopFinish) : null;
    }

    private static void InspectJson(ReadOnlySpan<byte> json, WireExchange exchange)
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
                foreach (var choice in choices.EnumerateArray())
                    if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
                        exchange.RawFinishReason = reason.GetString();
            }
        }
    }

    private static void ReadTimings(JsonElement usage, WireExchange exchange)
    {
        if (usage.ValueKind != JsonValueKind.Object || !usage.TryGetProperty("total_time", out _)) return;
        exchange.Timings = new GroqTimings(Seconds(usage, "queue_time"), Seconds(usage, "prompt_time"),
            Seconds(usage, "completion_time"), Seconds(usage, "total_time"));
    }

    private static TimeSpan? Seconds(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? TimeSpan.FromSeconds(v.GetDouble()) : null;

    private static byte[] Replace(ReadOnlySpan<byte> source, ReadOnlySpan<byte> find, ReadOnlySpan<byte> replacement)
    {
        var output = new List<byte>(source.Length + 8);
        while (true)
        {
            var at = source.IndexOf(find);
            if (at < 0) { output.AddRange(source); break; }
            output.AddRange(source[..at]);
            output.AddRange(replacement);
            source = source[(at + find.Length)..];
        }
        return output.ToArray();
    }

    internal static string Describe(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
