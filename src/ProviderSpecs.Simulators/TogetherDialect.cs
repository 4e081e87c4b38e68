using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ProviderSpecs.Simulators;

/// <summary>Together AI's wire style (facts: shared/reference/provider-apis.md, "Together AI").</summary>
internal sealed class TogetherDialect : ProviderDialect
{
    public override string Id => ProviderIds.TogetherAi;
    public override string PathPrefix => "/v1";
    public override string ApiKeyPrefix => "tg_sim_";
    public override string CatalogFileName => "together-models.json";
    public override string ContextWindowField => "context_length";
    public override string? MaxCompletionField => null;
    public override string NaturalFinishReason => "eos";

    public override string NewRequestId(Random rng) => StableRandom.Hex(rng, 32);

    // Together's completion ids are opaque: 16 hex digits and the serving region.
    public override string NewCompletionId(Random rng) => StableRandom.Hex(rng, 16) + "-SJC";

    // Together always sends param and code, null when they do not apply.
    public override JsonObject RenderError(ErrorReply error) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = error.Message,
            ["type"] = error.Type,
            ["param"] = error.Param,
            ["code"] = error.Code,
        },
    };

    // Both limits are per second.
    public override void AddRateLimitHeaders(IHeaderDictionary headers, RateLimits limits, int requestsUsed, int requestTokens)
    {
        headers["x-ratelimit-limit"] = limits.Requests.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining"] = Math.Max(0, limits.Requests - 1).ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset"] = "1";
        headers["x-tokenlimit-limit"] = limits.Tokens.ToString(CultureInfo.InvariantCulture);
        headers["x-tokenlimit-remaining"] = Math.Max(0, limits.Tokens - requestTokens).ToString(CultureInfo.InvariantCulture);
    }

    public override void AddRateLimitedHeaders(IHeaderDictionary headers, RateLimits limits, TimeSpan retryAfter)
    {
        headers["retry-after"] = Seconds(retryAfter);
        headers["x-ratelimit-limit"] = limits.Requests.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining"] = "0";
        headers["x-ratelimit-reset"] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    // Both windows are per second; x-ratelimit-reset is the time until the request window has room for one more.
    public override void AddEnforcedRateLimitHeaders(IHeaderDictionary headers, IReadOnlyList<WindowState> state)
    {
        if (WindowState.Find(state, RateLimitWindow.RequestsPerSecond) is { } requests)
        {
            headers["x-ratelimit-limit"] = requests.Limit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining"] = requests.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset"] = ExactSeconds(ShownWait(requests.UntilRoom));
        }
        if (WindowState.Find(state, RateLimitWindow.TokensPerSecond) is { } tokens)
        {
            headers["x-tokenlimit-limit"] = tokens.Limit.ToString(CultureInfo.InvariantCulture);
            headers["x-tokenlimit-remaining"] = tokens.Remaining.ToString(CultureInfo.InvariantCulture);
        }
    }

    public override ErrorReply RateLimitExceeded(string model, RateLimitRefusal refusal)
    {
        var tokens = RateLimitWindows.CountsTokens(refusal.Window);
        var type = tokens ? "dynamic_token_limited" : "dynamic_request_limited";
        var unit = tokens ? "tokens" : "requests";
        return refusal.Wait is { } wait
            ? new(429, $"You have been rate limited on model {model}: your current limit is {refusal.Limit} {unit} per second. Please try again in {ExactSeconds(ShownWait(wait))}s.",
                type, "rate_limit_exceeded")
            : new(429, $"You have been rate limited on model {model}: this request needs {refusal.Requested} tokens, more than your limit of {refusal.Limit} tokens per second; reduce max_tokens or the prompt.",
                type, "rate_limit_exceeded");
    }

    // Together's /models is a bare array, not {object, data}.
    public override JsonNode ModelList(IEnumerable<CatalogModel> models) =>
        new JsonArray(models.Select(m => (JsonNode)m.Served.DeepClone()).ToArray());

    public override ErrorReply InvalidApiKey() =>
        new(401, "Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.", "invalid_request_error", "invalid_api_key");

    public override ErrorReply ModelNotFound(string model) =>
        new(404, $"Unable to access model {model}. Please visit https://api.together.ai/models to view the list of supported models.",
            "invalid_request_error", "model_not_available");

    public override ErrorReply UnknownUrl(string method, string path) =>
        new(404, $"Unknown request URL: {method} {path}. Please check the URL for typos, or see the docs at https://docs.together.ai/", "invalid_request_error", "unknown_url");

    public override ErrorReply RateLimited(string model, RateLimits limits, TimeSpan retryAfter) => new(429,
        $"You have been rate limited on model {model}: your current limit is {limits.Requests} requests per second. Please try again in {Seconds(retryAfter)}s.",
        "dynamic_request_limited", "rate_limit_exceeded");

    public override ErrorReply ContextLengthExceeded(CatalogModel model, int promptTokens, int? maxTokens) => new(400,
        $"Input validation error: `inputs` tokens + `max_new_tokens` must be <= {model.ContextWindow}. Given: {promptTokens} `inputs` tokens and {maxTokens ?? 0} `max_new_tokens`",
        "invalid_request_error", "context_length_exceeded", "messages");

    public override ErrorReply? RequestTooLarge(CatalogModel model, int promptTokens) => null;

    public override ErrorReply? UnsupportedField(ChatRequest request, CatalogModel model) => null;

    // Together accepts n > 1.
    public override ErrorReply? UnsupportedN(int n) => null;

    public override ErrorReply? JsonSchemaUnsupported(string model) => null;

    public override ErrorReply InvalidJson() => new(400, "Unable to parse the request body as JSON.", "invalid_request_error");

    public override ErrorReply WrongContentType(string? contentType) =>
        new(400, $"Unsupported Content-Type '{contentType ?? "none"}'; send the request body as application/json.", "invalid_request_error");

    public override ErrorReply InvalidField(string message, string param) => new(400, message, "invalid_request_error", null, param);

    public override ErrorReply NotAChatModel(string model) =>
        new(400, $"Model {model} is not a chat model and cannot be used with the chat completions endpoint.", "invalid_request_error", "model_not_supported", "model");

    public override ErrorReply Overloaded() => new(503, "The server is overloaded or not ready yet.", "server_error");

    public override ErrorReply ServerError() => new(500, "Internal server error", "server_error");

    // Together (docs.together.ai/docs/inference/chat/reasoning): reasoning models send their thinking in a reasoning
    // field, DeepSeek-R1 between think tags in the content; reasoning_effort (low | medium | high) is GPT-OSS's;
    // reasoning: {"enabled": false} switches a hybrid model's thinking off (a reasoning-only model cannot be). Controls a
    // model does not take are ignored, as Together ignores fields it does not use, except an effort outside the model's.
    public override ErrorReply? DecideReasoning(ChatRequest request, CatalogModel model, out ReasoningDecision decision)
    {
        decision = ReasoningDecision.NoReasoning;
        if (model.Reasoning is not { } traits) return null;
        if (request.ReasoningEffort is { } asked && traits.Efforts.Count > 0 && !traits.Efforts.Contains(asked))
            return InvalidField($"Input validation error: reasoning_effort must be one of {string.Join(", ", traits.Efforts)}; got '{asked}'", "reasoning_effort");
        if (traits.Toggle && !(request.ReasoningEnabled ?? traits.OnByDefault)) return null;
        var effort = request.ReasoningEffort is { } given && traits.Efforts.Contains(given) ? given : traits.DefaultEffort;
        decision = new ReasoningDecision(traits.Output == ReasoningOutput.Field ? ReasoningShown.Field : ReasoningShown.InContent, effort);
        return null;
    }

    public override JsonObject Completion(CompletionIdentity identity, PlannedAnswer answer, CompletionUsage usage) => new()
    {
        ["id"] = identity.Id,
        ["object"] = "chat.completion",
        ["created"] = identity.Created,
        ["model"] = identity.Model,
        ["prompt"] = new JsonArray(),
        ["choices"] = new JsonArray(new JsonObject
        {
            ["finish_reason"] = answer.FinishReason,
            ["seed"] = identity.Seed,
            ["logprobs"] = null,
            ["index"] = 0,
            ["message"] = Message(answer),
        }),
        ["usage"] = Usage(usage),
    };

    public override IEnumerable<JsonObject> OpeningChunks(CompletionIdentity identity, bool includeUsage) => [];

    public override JsonObject ContentChunk(CompletionIdentity identity, string text, bool includeUsage) =>
        TogetherChunk(identity, text, finishReason: null, seed: null, usage: null);

    // A chunk of thinking carries no content: the text is the reasoning field's alone.
    public override JsonObject ReasoningChunk(CompletionIdentity identity, string text, bool includeUsage)
    {
        var chunk = ChunkWithoutContent(identity, out var delta);
        delta["reasoning"] = text;
        return chunk;
    }

    public override JsonObject ToolCallChunk(CompletionIdentity identity, PlannedToolCall call, int index, bool includeUsage)
    {
        var chunk = ChunkWithoutContent(identity, out var delta);
        delta["tool_calls"] = ToolCalls([call], index);
        return chunk;
    }

    // A chunk that carries something other than the answer's text (thinking, a function call): content null, text empty.
    private static JsonObject ChunkWithoutContent(CompletionIdentity identity, out JsonObject delta)
    {
        var chunk = TogetherChunk(identity, "", finishReason: null, seed: null, usage: null);
        delta = (JsonObject)chunk["choices"]![0]!["delta"]!;
        delta["content"] = null;
        return chunk;
    }

    // Together always sends tool_calls on a message, empty when the answer calls nothing.
    private static JsonObject Message(PlannedAnswer answer)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = ContentOf(answer), ["tool_calls"] = ToolCalls(answer.ToolCalls) };
        if (answer.Reasoning is { } reasoning) message["reasoning"] = reasoning;
        return message;
    }

    // Together puts usage on the chunk that carries the finish reason, with or without include_usage.
    public override IEnumerable<JsonObject> ClosingChunks(CompletionIdentity identity, string finishReason, CompletionUsage usage, bool includeUsage) =>
        [TogetherChunk(identity, "", finishReason, identity.Seed, Usage(usage))];

    private static JsonObject TogetherChunk(CompletionIdentity identity, string text, string? finishReason, int? seed, JsonObject? usage)
    {
        var chunk = Chunk(identity, new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["text"] = text,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
            ["seed"] = seed,
            ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = text, ["tool_calls"] = null },
        }));
        chunk["usage"] = usage;
        return chunk;
    }

    private static JsonObject Usage(CompletionUsage usage) => new()
    {
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["total_tokens"] = usage.TotalTokens,
    };
}
