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
    JsonNode? JsonSchema)
{
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
        foreach (var (message, index) in messages.Select((m, i) => (m, i)))
        {
            if (message is not JsonObject m || m["role"] is not JsonValue)
                return (null, dialect.InvalidField($"'messages.{index}' : property 'role' is missing", $"messages.{index}"));
            contents.Add(ContentText(m["content"]));
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
        return (new ChatRequest(model, contents, stream, includeUsage, maxTokens, stop, Int(request["n"]) ?? 1, Int(request["seed"]), format, schema), null);
    }

    private static string ContentText(JsonNode? content) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}

/// <summary>The answer decided for one request before any of it is sent.</summary>
internal sealed record PlannedAnswer(IReadOnlyList<string> Tokens, string FinishReason, int PromptTokens)
{
    public string Content => string.Concat(Tokens);

    public static PlannedAnswer For(ChatRequest request, int seed, string naturalFinishReason)
    {
        var rng = StableRandom.From(seed, request.Model, request.Seed, request.ResponseFormat, string.Join('\u001e', request.MessageContents));
        var tokens = request.ResponseFormat switch
        {
            "json_object" => ReplyGenerator.JsonObjectAnswer(rng),
            "json_schema" => ReplyGenerator.JsonSchemaAnswer(rng, request.JsonSchema!),
            _ => ReplyGenerator.Text(rng),
        };
        var finish = naturalFinishReason;

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
        if (request.MaxTokens is { } max && tokens.Count > max)
        {
            tokens = tokens.Take(max).ToList();
            finish = "length";
        }
        return new PlannedAnswer(tokens, finish, ReplyGenerator.CountPromptTokens(request.MessageContents));
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
