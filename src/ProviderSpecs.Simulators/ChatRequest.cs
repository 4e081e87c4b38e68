using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Simulators;

/// <summary>The parts of a chat completion request the simulator acts on.</summary>
internal sealed record ChatRequest(
    string Model,
    IReadOnlyList<string> MessageContents,
    bool Stream,
    bool IncludeUsage,
    int? MaxTokens,
    IReadOnlyList<string> Stop,
    int N,
    int? Seed,
    string ResponseFormat,
    JsonNode? JsonSchema,
    string? ReasoningEffort = null,
    string? ReasoningFormat = null,
    bool? IncludeReasoning = null,
    bool? ReasoningEnabled = null,
    ToolRequest? Tools = null,
    string LastRole = "user",
    string LastUserText = "",
    JsonObject? Body = null)
{
    /// <summary>The request's tools and tool choice (none offered when it has no <c>tools</c>).</summary>
    public ToolRequest ToolUse => Tools ?? ToolRequest.None;

    public bool Structured => ResponseFormat is "json_object" or "json_schema";

    /// <summary>Parses a request body, or returns the provider's 400 for what the real API would refuse.</summary>
    public static (ChatRequest? Request, ErrorReply? Error) Parse(string body, ProviderDialect dialect)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return (null, dialect.InvalidJson());
        }
        if (root is not JsonObject request) return (null, dialect.InvalidJson());

        if (request["model"] is not JsonValue modelValue || !modelValue.TryGetValue<string>(out var model) || model.Length == 0)
            return (null, dialect.InvalidField("property 'model' is missing", "model"));
        if (request["messages"] is not JsonArray messages)
            return (null, dialect.InvalidField("property 'messages' is missing", "messages"));
        if (messages.Count == 0)
            return (null, dialect.InvalidField("'messages' : minimum number of items is 1", "messages"));

        var contents = new List<string>();
        var lastRole = "user";
        var lastUserText = "";
        foreach (var (message, index) in messages.Select((m, i) => (m, i)))
        {
            if (message is not JsonObject m || m["role"] is not JsonValue roleValue || !roleValue.TryGetValue<string>(out var role))
                return (null, dialect.InvalidField($"'messages.{index}' : property 'role' is missing", $"messages.{index}"));
            if (role == "tool" && m["tool_call_id"] is not JsonValue)
                return (null, dialect.InvalidField($"'messages.{index}' : for 'role:tool' the property 'tool_call_id' is required", $"messages.{index}.tool_call_id"));
            var text = ContentText(m["content"]);
            // A call the model made earlier is part of the prompt it reads again.
            if (m["tool_calls"] is JsonArray calls) text += calls.ToJsonString();
            contents.Add(text);
            lastRole = role;
            if (role == "user") lastUserText = text;
        }

        var limitField = request["max_completion_tokens"] is not null ? "max_completion_tokens" : "max_tokens";
        var maxTokens = Int(request[limitField]);
        if (maxTokens is < 1)
            return (null, dialect.InvalidField($"'{limitField}' : number must be at least 1", limitField));

        var stop = request["stop"] switch
        {
            JsonArray items => items.Select(s => s?.GetValue<string>() ?? "").Where(s => s.Length > 0).ToList(),
            JsonValue one when one.TryGetValue<string>(out var text) && text.Length > 0 => [text],
            _ => new List<string>(),
        };
        if (stop.Count > 4) return (null, dialect.InvalidField("'stop' : maximum number of items is 4", "stop"));

        var format = request["response_format"]?["type"]?.GetValue<string>() ?? "text";
        JsonNode? schema = null;
        if (format == "json_schema")
        {
            schema = request["response_format"]?["json_schema"]?["schema"];
            if (schema is null) return (null, dialect.InvalidField("'response_format.json_schema.schema' is required", "response_format"));
        }
        else if (format is not ("text" or "json_object"))
        {
            return (null, dialect.InvalidField($"'response_format.type' : value must be one of 'text', 'json_object', 'json_schema'", "response_format"));
        }

        var stream = request["stream"] is JsonValue s && s.TryGetValue<bool>(out var isStream) && isStream;
        var includeUsage = request["stream_options"]?["include_usage"] is JsonValue u && u.TryGetValue<bool>(out var include) && include;

        // Reasoning controls (Groq: reasoning_effort, reasoning_format, include_reasoning; Together: reasoning_effort).
        // Their types are checked here; whether the model takes them, by the dialect.
        string? effort = null, reasoningFormat = null;
        bool? includeReasoning = null;
        if (request["reasoning_effort"] is { } effortNode && !TryString(effortNode, out effort))
            return (null, dialect.InvalidField("'reasoning_effort' : value must be a string", "reasoning_effort"));
        if (request["reasoning_format"] is { } formatNode && !TryString(formatNode, out reasoningFormat))
            return (null, dialect.InvalidField("'reasoning_format' : value must be a string", "reasoning_format"));
        if (request["include_reasoning"] is { } includeNode)
        {
            if (includeNode is not JsonValue flag || !flag.TryGetValue<bool>(out var included))
                return (null, dialect.InvalidField("'include_reasoning' : value must be a boolean", "include_reasoning"));
            includeReasoning = included;
        }
        // Together's switch for hybrid models: reasoning: {"enabled": true | false}.
        bool? reasoningEnabled = null;
        if (request["reasoning"] is { } reasoningNode)
        {
            if (reasoningNode is not JsonObject { } switchNode || (switchNode["enabled"] is { } enabledNode && !(enabledNode is JsonValue e && e.TryGetValue<bool>(out _))))
                return (null, dialect.InvalidField("'reasoning' : value must be an object such as {\"enabled\": false}", "reasoning"));
            reasoningEnabled = switchNode["enabled"] is JsonValue enabled && enabled.TryGetValue<bool>(out var on) ? on : null;
        }
        var (tools, toolError) = ToolRequest.Parse(request, dialect);
        if (tools is null) return (null, toolError);
        return (new ChatRequest(model, contents, stream, includeUsage, maxTokens, stop, Int(request["n"]) ?? 1, Int(request["seed"]), format, schema,
            effort, reasoningFormat, includeReasoning, reasoningEnabled, tools, lastRole, lastUserText, request), null);
    }

    private static bool TryString(JsonNode node, out string? text)
    {
        text = null;
        return node is JsonValue value && value.TryGetValue(out text);
    }

    private static string ContentText(JsonNode? content) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}

/// <summary>
/// The answer decided for one request before any of it is sent. A reasoning model thinks first: its thinking is
/// <see cref="ReasoningTokens"/> (shown apart), part of <see cref="Tokens"/> between think tags (shown in the content), or
/// <see cref="HiddenReasoningTokens"/> (not sent). Thinking comes first in time and in the token limit, so a limit smaller
/// than the thinking leaves no answer, as it does live.
/// </summary>
internal sealed record PlannedAnswer(
    IReadOnlyList<string> Tokens,
    string FinishReason,
    int PromptTokens,
    IReadOnlyList<string> ReasoningTokens,
    int HiddenReasoningTokens,
    int ThinkingTokens,
    IReadOnlyList<PlannedToolCall> ToolCalls)
{
    public string Content => string.Concat(Tokens);

    /// <summary>The thinking sent apart from the content; null when there is none to send.</summary>
    public string? Reasoning => ReasoningTokens.Count == 0 ? null : string.Concat(ReasoningTokens);

    /// <summary>Every generated token, thinking (shown or not) and answer: what usage counts and the decode takes time for.</summary>
    public int CompletionTokens => ReasoningTokens.Count + HiddenReasoningTokens + Tokens.Count + ToolCalls.Sum(c => c.Tokens);

    public static PlannedAnswer For(ChatRequest request, int seed, string naturalFinishReason, ReasoningDecision reasoning)
    {
        var messages = string.Join('\u001e', request.MessageContents);
        var rng = StableRandom.From(seed, request.Model, request.Seed, request.ResponseFormat, messages);
        var toCall = request.ToolUse.ToCall(request.LastRole, request.LastUserText);
        // A model that calls functions says nothing else; each call's arguments follow the function's parameters.
        var calls = toCall.Select(tool => new PlannedToolCall(
            "call_" + StableRandom.Hex(rng, 24),
            tool.Name,
            tool.Parameters is null ? "{}" : string.Concat(ReplyGenerator.JsonSchemaAnswer(rng, tool.Parameters)))).ToList();
        List<string> tokens = calls.Count > 0 ? [] : request.ResponseFormat switch
        {
            "json_object" => ReplyGenerator.JsonObjectAnswer(rng),
            "json_schema" => ReplyGenerator.JsonSchemaAnswer(rng, request.JsonSchema!),
            _ => ReplyGenerator.Text(rng),
        };
        var finish = calls.Count > 0 ? "tool_calls" : naturalFinishReason;

        if (request.Stop.Count > 0)
        {
            var text = string.Concat(tokens);
            var cut = request.Stop.Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
            if (cut >= 0)
            {
                tokens = CutAt(tokens, cut);
                finish = "stop";
            }
        }

        // Its own random source, so the answer of a model is the same whether or not it thinks.
        var thinking = new List<string>();
        if (reasoning.Shown != ReasoningShown.None)
        {
            var thoughts = StableRandom.From(seed, request.Model, request.Seed, "reasoning", reasoning.Effort, messages);
            thinking = ReplyGenerator.Thought(thoughts, ReasoningTraits.SampleLength(reasoning.Effort, thoughts));
            if (reasoning.Shown == ReasoningShown.InContent && thinking.Count > 0) thinking = ["<think>\n", .. thinking, "\n</think>\n\n"];
        }

        if (request.MaxTokens is { } max && thinking.Count + tokens.Count + calls.Sum(c => c.Tokens) > max)
        {
            if (thinking.Count >= max)
            {
                thinking = thinking.Take(max).ToList();
                tokens = [];
                calls = [];
            }
            else
            {
                tokens = tokens.Take(max - thinking.Count).ToList();
                calls = CutCalls(calls, max - thinking.Count);
            }
            finish = "length";
        }

        var prompt = ReplyGenerator.CountPromptTokens(request.MessageContents);
        return reasoning.Shown switch
        {
            ReasoningShown.Field => new PlannedAnswer(tokens, finish, prompt, thinking, 0, thinking.Count, calls),
            ReasoningShown.Hidden => new PlannedAnswer(tokens, finish, prompt, [], thinking.Count, thinking.Count, calls),
            ReasoningShown.InContent => new PlannedAnswer([.. thinking, .. tokens], finish, prompt, [], 0, thinking.Count, calls),
            _ => new PlannedAnswer(tokens, finish, prompt, [], 0, 0, calls),
        };
    }

    // Calls in order while the limit lasts; the one it runs out in keeps the arguments written so far (no longer JSON).
    private static List<PlannedToolCall> CutCalls(List<PlannedToolCall> calls, int tokens)
    {
        var kept = new List<PlannedToolCall>();
        foreach (var call in calls)
        {
            if (tokens < 1) break;
            if (call.Tokens <= tokens) kept.Add(call);
            else kept.Add(call with { Arguments = call.Arguments[..Math.Min(call.Arguments.Length, (tokens - 1) * 4)] });
            tokens -= call.Tokens;
        }
        return kept;
    }

    // Keeps the text before the stop string; a token cut in the middle still counts as one.
    private static List<string> CutAt(List<string> tokens, int length)
    {
        var kept = new List<string>();
        var used = 0;
        foreach (var token in tokens)
        {
            if (used >= length) break;
            var take = Math.Min(token.Length, length - used);
            kept.Add(token[..take]);
            used += take;
        }
        return kept;
    }
}
