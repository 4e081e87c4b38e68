using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ProviderSpecs.Simulators;

/// <summary>Provider ids, the same as the provider registry's.</summary>
public static class ProviderIds
{
    public const string Groq = "groq";
    public const string TogetherAi = "together_ai";
    public static readonly IReadOnlyList<string> All = [Groq, TogetherAi];
}

/// <summary>An error answer before it is rendered in a provider's body shape.</summary>
internal sealed record ErrorReply(int Status, string Message, string Type, string? Code = null, string? Param = null, string? FailedGeneration = null);

/// <summary>Token counts and (Groq) timings of one completion, in seconds;
/// <see cref="ReasoningTokens"/>: how many of the completion tokens were thinking.</summary>
internal sealed record CompletionUsage(int PromptTokens, int CompletionTokens, double QueueTime, double PromptTime, double CompletionTime, int ReasoningTokens = 0)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>What every body and chunk of one completion shares.</summary>
internal sealed record CompletionIdentity(string Id, long Created, string Model, string RequestId, string SystemFingerprint, int Seed);

/// <summary>
/// Everything that differs between providers on the wire: paths, ids, error bodies, rate-limit headers
/// and the shape of completions and stream chunks. One subclass per provider.
/// </summary>
internal abstract class ProviderDialect
{
    public abstract string Id { get; }
    public abstract string PathPrefix { get; }
    public abstract string ApiKeyPrefix { get; }
    public abstract string CatalogFileName { get; }
    public abstract string ContextWindowField { get; }
    public abstract string? MaxCompletionField { get; }
    /// <summary>The finish reason of an answer that ended by itself.</summary>
    public abstract string NaturalFinishReason { get; }

    public abstract string NewRequestId(Random rng);
    public abstract string NewCompletionId(Random rng);
    public abstract JsonObject RenderError(ErrorReply error);

    public abstract void AddRateLimitHeaders(IHeaderDictionary headers, RateLimits limits, int requestsUsed, int requestTokens);
    public abstract void AddRateLimitedHeaders(IHeaderDictionary headers, RateLimits limits, TimeSpan retryAfter);

    /// <summary>
    /// Replaces the reported rate-limit headers by the state of the enforced windows they describe (Groq: requests per
    /// day and tokens per minute; Together: requests and tokens per second); headers of windows not enforced keep the
    /// reported numbers.
    /// </summary>
    public abstract void AddEnforcedRateLimitHeaders(IHeaderDictionary headers, IReadOnlyList<WindowState> state);

    /// <summary>The answer to a request an enforced window refused: 429 with the exact wait, or (larger than the limit itself) the provider's answer to a request that can never fit.</summary>
    public abstract ErrorReply RateLimitExceeded(string model, RateLimitRefusal refusal);

    public abstract JsonNode ModelList(IEnumerable<CatalogModel> models);

    public abstract ErrorReply InvalidApiKey();
    public abstract ErrorReply ModelNotFound(string model);
    public abstract ErrorReply UnknownUrl(string method, string path);
    public abstract ErrorReply RateLimited(string model, RateLimits limits, TimeSpan retryAfter);
    public abstract ErrorReply ContextLengthExceeded(CatalogModel model, int promptTokens, int? maxTokens);
    /// <summary>The answer to a prompt larger than the key's token limit; null where the provider has no such check.</summary>
    public abstract ErrorReply? RequestTooLarge(CatalogModel model, int promptTokens);
    public abstract ErrorReply? UnsupportedN(int n);
    /// <summary>A request field or message property the provider refuses (Groq validates its schema strictly; Together ignores what it does not use).</summary>
    public abstract ErrorReply? UnsupportedField(ChatRequest request, CatalogModel model);
    public abstract ErrorReply? JsonSchemaUnsupported(string model);
    public abstract ErrorReply InvalidJson();
    public abstract ErrorReply WrongContentType(string? contentType);
    public abstract ErrorReply InvalidField(string message, string param);
    public abstract ErrorReply NotAChatModel(string model);
    public abstract ErrorReply Overloaded();
    public abstract ErrorReply ServerError();

    /// <summary>
    /// Decides what a request's answer does with thinking — from the model's reasoning traits and the request's reasoning
    /// controls — or refuses controls the provider refuses (null when the request may go on).
    /// </summary>
    public abstract ErrorReply? DecideReasoning(ChatRequest request, CatalogModel model, out ReasoningDecision decision);

    /// <summary>A whole completion: the answer's content (null when it only calls functions), thinking sent apart, function calls.</summary>
    public abstract JsonObject Completion(CompletionIdentity identity, PlannedAnswer answer, CompletionUsage usage);
    /// <summary>The chunks sent before content: Groq sends a role-only chunk carrying x_groq.id; Together sends none.</summary>
    public abstract IEnumerable<JsonObject> OpeningChunks(CompletionIdentity identity, bool includeUsage);
    public abstract JsonObject ContentChunk(CompletionIdentity identity, string text, bool includeUsage);
    /// <summary>A chunk of thinking sent apart from the content (<c>delta.reasoning</c>).</summary>
    public abstract JsonObject ReasoningChunk(CompletionIdentity identity, string text, bool includeUsage);
    /// <summary>The chunk of one function call, whole (id, name and arguments in one <c>delta.tool_calls</c> entry).</summary>
    public abstract JsonObject ToolCallChunk(CompletionIdentity identity, PlannedToolCall call, int index, bool includeUsage);
    public abstract IEnumerable<JsonObject> ClosingChunks(CompletionIdentity identity, string finishReason, CompletionUsage usage, bool includeUsage);

    /// <summary>
    /// A wait as it is shown in messages and reset headers: rounded UP to the millisecond, and from one second on to the
    /// 10 ms that <see cref="GoDuration"/> prints, so a client that waits what it is told is never early.
    /// </summary>
    public static TimeSpan ShownWait(TimeSpan wait)
    {
        var step = wait >= TimeSpan.FromSeconds(1) ? TimeSpan.TicksPerMillisecond * 10 : TimeSpan.TicksPerMillisecond;
        return TimeSpan.FromTicks((wait.Ticks + step - 1) / step * step);
    }

    /// <summary>
    /// The <c>retry-after</c> value of an enforced limit's 429: the exact wait rounded up to whole seconds. HTTP's
    /// delay-seconds is a whole number, and the official .NET SDK ignores a fractional value (measured: with "2.5" it
    /// retried after 0.3 s and was refused again), so a fraction would make the clients that honour the header early.
    /// </summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (wait.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);

    /// <summary>Seconds with up to 3 decimals (a wait already rounded up to the millisecond by <see cref="ShownWait"/>).</summary>
    protected static string ExactSeconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    protected static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The <c>tool_calls</c> of a message (<paramref name="index"/> null) or of a stream delta.</summary>
    protected static JsonArray ToolCalls(IEnumerable<PlannedToolCall> calls, int? index = null) =>
        new(calls.Select((call, i) =>
        {
            var entry = new JsonObject();
            if (index is not null) entry["index"] = index + i;
            entry["id"] = call.Id;
            entry["type"] = "function";
            entry["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments };
            return (JsonNode)entry;
        }).ToArray());

    /// <summary>The content of a whole answer: null when it only calls functions, as the OpenAI shape has it.</summary>
    protected static string? ContentOf(PlannedAnswer answer) => answer.ToolCalls.Count > 0 && answer.Tokens.Count == 0 ? null : answer.Content;

    protected static JsonObject Chunk(CompletionIdentity identity, JsonArray choices) => new()
    {
        ["id"] = identity.Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = identity.Created,
        ["model"] = identity.Model,
        ["choices"] = choices,
    };
}
