using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ProviderSpecs.Simulators;

/// <summary>Groq's wire style (facts: shared/reference/provider-apis.md, "Groq").</summary>
internal sealed class GroqDialect : ProviderDialect
{
    private const string Organization = "org_01simulated0000000000000000";
    private const string Crockford = "0123456789abcdefghjkmnpqrstvwxyz";

    public override string Id => ProviderIds.Groq;
    public override string PathPrefix => "/openai/v1";
    public override string ApiKeyPrefix => "gsk_sim_";
    public override string CatalogFileName => "groq-models.json";
    public override string ContextWindowField => "context_window";
    public override string? MaxCompletionField => "max_completion_tokens";
    public override string NaturalFinishReason => "stop";

    // Groq request ids are ULIDs in lower-case Crockford base32: req_01jbd6g2qdfw2adyrt2az8hz4w.
    public override string NewRequestId(Random rng) =>
        "req_01" + string.Create(24, rng, static (span, r) => { for (var i = 0; i < span.Length; i++) span[i] = Crockford[r.Next(32)]; });

    public override string NewCompletionId(Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return "chatcmpl-" + new Guid(bytes, bigEndian: true).ToString("D");
    }

    public override JsonObject RenderError(ErrorReply error)
    {
        var body = new JsonObject { ["message"] = error.Message, ["type"] = error.Type };
        if (error.Code is not null) body["code"] = error.Code;
        if (error.Param is not null) body["param"] = error.Param;
        if (error.FailedGeneration is not null) body["failed_generation"] = error.FailedGeneration;
        return new JsonObject { ["error"] = body };
    }

    // Requests are counted per day, tokens per minute; resets are Go durations.
    public override void AddRateLimitHeaders(IHeaderDictionary headers, RateLimits limits, int requestsUsed, int requestTokens)
    {
        var remainingRequests = Math.Max(0, limits.Requests - requestsUsed);
        var remainingTokens = Math.Max(0, limits.Tokens - requestTokens);
        headers["x-ratelimit-limit-requests"] = limits.Requests.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-limit-tokens"] = limits.Tokens.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-requests"] = remainingRequests.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-tokens"] = remainingTokens.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-requests"] = GoDuration.Format(TimeSpan.FromSeconds((limits.Requests - remainingRequests) * 86400.0 / limits.Requests));
        headers["x-ratelimit-reset-tokens"] = GoDuration.Format(TimeSpan.FromSeconds((limits.Tokens - remainingTokens) * 60.0 / limits.Tokens));
    }

    public override void AddRateLimitedHeaders(IHeaderDictionary headers, RateLimits limits, TimeSpan retryAfter)
    {
        headers["retry-after"] = Seconds(retryAfter);
        headers["x-ratelimit-limit-requests"] = limits.Requests.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-requests"] = "0";
        headers["x-ratelimit-reset-requests"] = GoDuration.Format(retryAfter);
    }

    // Groq reports requests per day and tokens per minute; resets are the time until the window is whole again.
    public override void AddEnforcedRateLimitHeaders(IHeaderDictionary headers, IReadOnlyList<WindowState> state)
    {
        if (WindowState.Find(state, RateLimitWindow.RequestsPerDay) is { } requests)
        {
            headers["x-ratelimit-limit-requests"] = requests.Limit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-requests"] = requests.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = GoDuration.Format(ShownWait(requests.UntilEmpty));
        }
        if (WindowState.Find(state, RateLimitWindow.TokensPerMinute) is { } tokens)
        {
            headers["x-ratelimit-limit-tokens"] = tokens.Limit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-tokens"] = tokens.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = GoDuration.Format(ShownWait(tokens.UntilEmpty));
        }
    }

    public override ErrorReply RateLimitExceeded(string model, RateLimitRefusal refusal)
    {
        var window = RateLimitWindows.Describe(refusal.Window);
        var type = RateLimitWindows.CountsTokens(refusal.Window) ? "tokens" : "requests";
        if (refusal.Wait is not { } wait) return TooLarge(model, window, refusal.Limit, refusal.Requested);
        return new(429,
            $"Rate limit reached for model `{model}` in organization `{Organization}` service tier `on_demand` on {window}: " +
            $"Limit {refusal.Limit}, Used {refusal.Used}, Requested {refusal.Requested}. Please try again in {GoDuration.Format(ShownWait(wait))}. " +
            "Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing",
            type, "rate_limit_exceeded");
    }

    public override JsonNode ModelList(IEnumerable<CatalogModel> models) => new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray(models.Select(m => (JsonNode)m.Served.DeepClone()).ToArray()),
    };

    public override ErrorReply InvalidApiKey() => new(401, "Invalid API Key", "invalid_request_error", "invalid_api_key");

    public override ErrorReply ModelNotFound(string model) =>
        new(404, $"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");

    public override ErrorReply UnknownUrl(string method, string path) =>
        new(404, $"Unknown request URL: {method} {path}. Please check the URL for typos, or see the docs at https://console.groq.com/docs/", "invalid_request_error", "unknown_url");

    public override ErrorReply RateLimited(string model, RateLimits limits, TimeSpan retryAfter) => new(429,
        $"Rate limit reached for model `{model}` in organization `{Organization}` service tier `on_demand` on requests per day (RPD): " +
        $"Limit {limits.Requests}, Used {limits.Requests}, Requested 1. Please try again in {Seconds(retryAfter)}s. " +
        "Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing",
        "requests", "rate_limit_exceeded");

    public override ErrorReply ContextLengthExceeded(CatalogModel model, int promptTokens, int? maxTokens) =>
        new(400, "Please reduce the length of the messages or completion.", "invalid_request_error", "context_length_exceeded", "messages");

    public override ErrorReply? RequestTooLarge(CatalogModel model, int promptTokens) =>
        promptTokens <= model.RateLimits.Tokens ? null : TooLarge(model.Id, RateLimitWindows.Describe(RateLimitWindow.TokensPerMinute), model.RateLimits.Tokens, promptTokens);

    // 413: a request larger than the token limit itself can never be accepted, so it is not a 429 to retry.
    private static ErrorReply TooLarge(string model, string window, long limit, long requested) => new(413,
        $"Request too large for model `{model}` in organization `{Organization}` service tier `on_demand` on {window}: " +
        $"Limit {limit}, Requested {requested}, please reduce your message size and try again. " +
        "Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing",
        "tokens", "rate_limit_exceeded");

    // The request fields Groq's chat endpoint takes (groq-python's completion_create_params, late 2025). Groq validates
    // its schema strictly: any other field is refused ("property 'store' is unsupported", captures 2024-2026), as is a
    // thinking trace sent back on an assistant message ('reasoning_content' always, 'reasoning' on a model that does
    // not reason — both seen live in 2026 by clients replaying history).
    private static readonly HashSet<string> RequestFields = new(StringComparer.Ordinal)
    {
        "messages", "model", "citation_options", "compound_custom", "disable_tool_validation", "documents", "exclude_domains",
        "frequency_penalty", "function_call", "functions", "include_domains", "include_reasoning", "logit_bias", "logprobs",
        "max_completion_tokens", "max_tokens", "metadata", "n", "parallel_tool_calls", "presence_penalty", "reasoning_effort",
        "reasoning_format", "response_format", "search_settings", "seed", "service_tier", "stop", "store", "stream",
        "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
    };

    public override ErrorReply? UnsupportedField(ChatRequest request, CatalogModel model)
    {
        if (request.Body is not { } body) return null;
        if (body.Select(p => p.Key).FirstOrDefault(name => !RequestFields.Contains(name)) is { } unknown)
            return new(400, $"property '{unknown}' is unsupported", "invalid_request_error");
        if (body["messages"] is not JsonArray messages) return null;
        foreach (var (message, index) in messages.Select((m, i) => (m as JsonObject, i)))
        {
            if (message?["role"]?.ToString() != "assistant") continue;
            var refused = message.ContainsKey("reasoning_content") ? "reasoning_content"
                : message.ContainsKey("reasoning") && model.Reasoning is null ? "reasoning"
                : null;
            if (refused is not null)
                return new(400, $"'messages.{index}' : for 'role:assistant' the following must be satisfied[('messages.{index}' : property '{refused}' is unsupported)]", "invalid_request_error");
        }
        return null;
    }

    public override ErrorReply? UnsupportedN(int n) => n == 1 ? null : new(400, "'n' : number must be at most 1", "invalid_request_error", null, "n");

    public override ErrorReply? JsonSchemaUnsupported(string model) =>
        new(400, "This model does not support response format `json_schema`. See supported models at https://console.groq.com/docs/structured-outputs#supported-models",
            "invalid_request_error", null, "response_format");

    public override ErrorReply InvalidJson() =>
        new(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
                 "The API expects a JSON payload, but what was sent was not valid JSON.)", "invalid_request_error");

    public override ErrorReply WrongContentType(string? contentType) =>
        new(400, $"Invalid Content-Type header ({contentType ?? "none"}), expected application/json", "invalid_request_error");

    public override ErrorReply InvalidField(string message, string param) => new(400, message, "invalid_request_error", null, param);

    public override ErrorReply NotAChatModel(string model) =>
        new(400, $"The model `{model}` does not support chat completions.", "invalid_request_error", "model_not_supported", "model");

    public override ErrorReply Overloaded() => new(503, "Service Unavailable", "internal_server_error", "service_unavailable");

    public override ErrorReply ServerError() => new(500, "Internal Server Error", "internal_server_error");

    // What Groq answers when the model's output is not a valid call of an offered function (captures 2024-2026; it comes
    // and goes: the same request often succeeds again).
    public ErrorReply ToolUseFailed() =>
        new(400, "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.", "invalid_request_error", "tool_use_failed",
            FailedGeneration: "<function=get_weather>{\"city\": \"Paris\"</function>");

    public ErrorReply CapacityExceeded() =>
        new(498, "Flex tier capacity exceeded. This model is temporarily overloaded in flex tier, please try again later or switch to on_demand tier.",
            "capacity_exceeded", "capacity_exceeded");

    // Groq's reasoning controls (console.groq.com/docs/reasoning): reasoning_effort takes the model's own values;
    // reasoning_format (parsed | raw | hidden) is Qwen 3's, raw by default and parsed in JSON mode, where raw is refused;
    // include_reasoning (default true) shows or hides the reasoning field and cannot be combined with reasoning_format.
    // A model that does not reason refuses all three.
    public override ErrorReply? DecideReasoning(ChatRequest request, CatalogModel model, out ReasoningDecision decision)
    {
        decision = ReasoningDecision.NoReasoning;
        if (request.ReasoningFormat is { } format && format is not ("parsed" or "raw" or "hidden"))
            return InvalidField("'reasoning_format' : value must be one of 'hidden', 'raw', 'parsed'", "reasoning_format");
        if (model.Reasoning is not { } traits)
        {
            if (request.ReasoningEffort is not null) return NotSupported("reasoning_effort");
            if (request.ReasoningFormat is not null) return NotSupported("reasoning_format");
            if (request.IncludeReasoning is not null) return NotSupported("include_reasoning");
            return null;
        }
        if (request.ReasoningFormat is not null && request.IncludeReasoning is not null)
            return InvalidField("`include_reasoning` and `reasoning_format` cannot be used together; set one of them", "include_reasoning");
        if (request.ReasoningFormat is not null && !traits.Formats) return NotSupported("reasoning_format");
        if (request.ReasoningEffort is { } asked && !traits.Efforts.Contains(asked))
            return InvalidField($"`reasoning_effort` value '{asked}' is not supported with this model; supported values: {string.Join(", ", traits.Efforts)}", "reasoning_effort");
        if (request.ReasoningFormat == "raw" && request.Structured)
            return InvalidField("`reasoning_format` 'raw' is not supported with JSON mode; use 'parsed' or 'hidden'", "reasoning_format");

        var effort = request.ReasoningEffort ?? traits.DefaultEffort;
        if (effort == "none") return null; // thinking switched off
        var shown = (request.ReasoningFormat, request.IncludeReasoning) switch
        {
            ("hidden", _) or (_, false) => ReasoningShown.Hidden,
            ("parsed", _) or (_, true) => ReasoningShown.Field,
            ("raw", _) => ReasoningShown.InContent,
            _ => traits.Output == ReasoningOutput.ThinkTags && !request.Structured ? ReasoningShown.InContent : ReasoningShown.Field,
        };
        decision = new ReasoningDecision(shown, effort);
        return null;
    }

    private ErrorReply NotSupported(string field) => InvalidField($"`{field}` is not supported with this model", field);

    public override JsonObject Completion(CompletionIdentity identity, PlannedAnswer answer, CompletionUsage usage) => new()
    {
        ["id"] = identity.Id,
        ["object"] = "chat.completion",
        ["created"] = identity.Created,
        ["model"] = identity.Model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = Message(answer),
            ["logprobs"] = null,
            ["finish_reason"] = answer.FinishReason,
        }),
        ["usage"] = Usage(usage),
        ["system_fingerprint"] = identity.SystemFingerprint,
        ["x_groq"] = new JsonObject { ["id"] = identity.RequestId },
    };

    public override IEnumerable<JsonObject> OpeningChunks(CompletionIdentity identity, bool includeUsage)
    {
        var chunk = GroqChunk(identity, Choice(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null), includeUsage);
        chunk["x_groq"] = new JsonObject { ["id"] = identity.RequestId };
        yield return chunk;
    }

    public override JsonObject ContentChunk(CompletionIdentity identity, string text, bool includeUsage) =>
        GroqChunk(identity, Choice(new JsonObject { ["content"] = text }, null), includeUsage);

    public override JsonObject ReasoningChunk(CompletionIdentity identity, string text, bool includeUsage) =>
        GroqChunk(identity, Choice(new JsonObject { ["reasoning"] = text }, null), includeUsage);

    public override JsonObject ToolCallChunk(CompletionIdentity identity, PlannedToolCall call, int index, bool includeUsage) =>
        GroqChunk(identity, Choice(new JsonObject { ["tool_calls"] = ToolCalls([call], index) }, null), includeUsage);

    private static JsonObject Message(PlannedAnswer answer)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = ContentOf(answer) };
        if (answer.Reasoning is { } reasoning) message["reasoning"] = reasoning;
        if (answer.ToolCalls.Count > 0) message["tool_calls"] = ToolCalls(answer.ToolCalls);
        return message;
    }

    public override IEnumerable<JsonObject> ClosingChunks(CompletionIdentity identity, string finishReason, CompletionUsage usage, bool includeUsage)
    {
        var final = GroqChunk(identity, Choice(new JsonObject(), finishReason), includeUsage);
        final["x_groq"] = new JsonObject { ["id"] = identity.RequestId, ["usage"] = Usage(usage) };
        yield return final;
        if (includeUsage)
        {
            var usageChunk = GroqChunk(identity, new JsonArray(), includeUsage: false);
            usageChunk["usage"] = Usage(usage);
            yield return usageChunk;
        }
    }

    private static JsonObject GroqChunk(CompletionIdentity identity, JsonArray choices, bool includeUsage)
    {
        var chunk = Chunk(identity, choices);
        chunk["system_fingerprint"] = identity.SystemFingerprint;
        // With include_usage the OpenAI convention is an explicit null usage on every chunk but the last.
        if (includeUsage) chunk["usage"] = null;
        return chunk;
    }

    private static JsonArray Choice(JsonObject delta, string? finishReason) => new(new JsonObject
    {
        ["index"] = 0,
        ["delta"] = delta,
        ["logprobs"] = null,
        ["finish_reason"] = finishReason,
    });

    private static JsonObject Usage(CompletionUsage usage)
    {
        var fields = new JsonObject
        {
            ["queue_time"] = Round(usage.QueueTime),
            ["prompt_tokens"] = usage.PromptTokens,
            ["prompt_time"] = Round(usage.PromptTime),
            ["completion_tokens"] = usage.CompletionTokens,
            ["completion_time"] = Round(usage.CompletionTime),
            ["total_tokens"] = usage.TotalTokens,
            ["total_time"] = Round(usage.PromptTime + usage.CompletionTime),
        };
        // The thinking within completion_tokens, as the OpenAI usage shape names it; only for answers that thought.
        if (usage.ReasoningTokens > 0) fields["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = usage.ReasoningTokens };
        return fields;
    }

    private static double Round(double seconds) => Math.Round(seconds, 9);
}
