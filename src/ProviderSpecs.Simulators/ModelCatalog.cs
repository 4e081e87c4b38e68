using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Simulators;

/// <summary>One model of a simulated catalog: what <c>GET /models</c> serves plus what the simulator needs to behave like it.</summary>
internal sealed record CatalogModel(
    string Id,
    JsonObject Served,
    bool SupportsChat,
    bool SupportsJsonSchema,
    int ContextWindow,
    int MaxCompletionTokens,
    RateLimits RateLimits,
    bool FineTunable = false,
    IReadOnlyDictionary<RateLimitWindow, int>? FreePlan = null,
    ReasoningTraits? Reasoning = null);

/// <summary>
/// Request and token limits of one key. Groq counts requests per day and tokens per minute;
/// Together counts both per second. The dialect decides which window a number means.
/// </summary>
internal sealed record RateLimits(int Requests, int Tokens);

/// <summary>
/// A provider's model catalog, read from <c>fixtures/simulators/&lt;provider&gt;-models.json</c>:
/// <code>{ "provider": "groq", "rateLimits": {"requests": n, "tokens": n}, "models": [ { ...served fields..., "simulator": {...} } ] }</code>
/// Each entry is served exactly as written, without its <c>simulator</c> block. <c>simulator.freePlan</c> holds the model's
/// published free-plan limits by window short name (<c>{"rpm": 30, "rpd": 14400, "tpm": 6000, "tpd": 500000, "source": "…"}</c>),
/// enforced with <see cref="RateLimitPlan.FreePlan"/>. <c>simulator.reasoning</c> marks a model that thinks before it answers
/// (<see cref="ReasoningTraits"/>).
/// </summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, CatalogModel> _byId;

    private ModelCatalog(IReadOnlyList<CatalogModel> models)
    {
        Models = models;
        _byId = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<CatalogModel> Models { get; }

    public CatalogModel? Find(string id) => _byId.GetValueOrDefault(id);

    public static ModelCatalog Load(FixtureFiles files, string relativePath, string contextWindowField, string? maxCompletionField, IReadOnlyList<RateLimitWindow> windows)
    {
        var path = files.PathOf(relativePath);
        var text = files.Read(relativePath);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new SimulatorFixtureException(path, ex.Message, ex);
        }

        if (root is not JsonObject file || file["models"] is not JsonArray entries || entries.Count == 0)
            throw new SimulatorFixtureException(path, "expected an object with a non-empty 'models' array");
        var defaults = ReadLimits(file["rateLimits"], path, "rateLimits")
                       ?? throw new SimulatorFixtureException(path, "'rateLimits' with 'requests' and 'tokens' is required");

        var models = new List<CatalogModel>();
        foreach (var (entry, index) in entries.Select((e, i) => (e, i)))
        {
            if (entry is not JsonObject served || served["id"]?.GetValue<string>() is not { Length: > 0 } id)
                throw new SimulatorFixtureException(path, $"models[{index}] has no 'id'");
            var where = $"model '{id}'";
            var simulator = served["simulator"] as JsonObject
                            ?? throw new SimulatorFixtureException(path, $"{where} has no 'simulator' block");
            served = (JsonObject)served.DeepClone();
            served.Remove("simulator");

            var context = Int(served[contextWindowField]) ?? Int(simulator["contextWindow"])
                          ?? throw new SimulatorFixtureException(path, $"{where} has no '{contextWindowField}'");
            var maxCompletion = (maxCompletionField is null ? null : Int(served[maxCompletionField])) ?? Int(simulator["maxCompletionTokens"])
                                ?? throw new SimulatorFixtureException(path, $"{where} has no max completion tokens ('{maxCompletionField ?? "simulator.maxCompletionTokens"}')");
            models.Add(new CatalogModel(
                id,
                served,
                SupportsChat: Bool(simulator["chat"]) ?? throw new SimulatorFixtureException(path, $"{where}: 'simulator.chat' (true/false) is required"),
                SupportsJsonSchema: Bool(simulator["jsonSchema"]) ?? false,
                context,
                maxCompletion,
                ReadLimits(simulator["rateLimits"], path, where + " rateLimits") ?? defaults,
                FineTunable: Bool(simulator["fineTune"]) ?? false,
                FreePlan: ReadFreePlan(simulator["freePlan"], path, where, windows),
                Reasoning: ReadReasoning(simulator["reasoning"], path, where)));
        }

        var duplicate = models.GroupBy(m => m.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new SimulatorFixtureException(path, $"model '{duplicate.Key}' is listed twice");
        return new ModelCatalog(models);
    }

    private static RateLimits? ReadLimits(JsonNode? node, string path, string where)
    {
        if (node is null) return null;
        var requests = Int(node["requests"]);
        var tokens = Int(node["tokens"]);
        if (requests is not > 0 || tokens is not > 0) throw new SimulatorFixtureException(path, $"{where} needs positive 'requests' and 'tokens'");
        return new RateLimits(requests.Value, tokens.Value);
    }

    private static Dictionary<RateLimitWindow, int>? ReadFreePlan(JsonNode? node, string path, string where, IReadOnlyList<RateLimitWindow> windows)
    {
        if (node is null) return null;
        if (node is not JsonObject block) throw new SimulatorFixtureException(path, $"{where}: 'simulator.freePlan' must be an object");
        if (block["source"] is not JsonValue source || !source.TryGetValue<string>(out var text) || text.Length == 0)
            throw new SimulatorFixtureException(path, $"{where}: 'simulator.freePlan' needs a 'source' naming where the limits were published");
        var limits = new Dictionary<RateLimitWindow, int>();
        foreach (var (name, value) in block)
        {
            if (name == "source") continue;
            if (!RateLimitWindows.TryParse(name, out var window) || !windows.Contains(window))
                throw new SimulatorFixtureException(path, $"{where}: 'simulator.freePlan.{name}' is not a window of this provider ({string.Join(", ", windows.Select(RateLimitWindows.ShortName))})");
            var limit = Int(value);
            if (limit is not > 0) throw new SimulatorFixtureException(path, $"{where}: 'simulator.freePlan.{name}' must be a positive whole number");
            limits[window] = limit.Value;
        }
        return limits;
    }

    private static ReasoningTraits? ReadReasoning(JsonNode? node, string path, string where)
    {
        if (node is null) return null;
        SimulatorFixtureException Invalid(string problem) => new(path, $"{where}: 'simulator.reasoning' {problem}");
        if (node is not JsonObject block) throw Invalid("must be an object");
        if (block["source"] is not JsonValue source || !source.TryGetValue<string>(out var text) || text.Length == 0)
            throw Invalid("needs a 'source' naming where the behaviour is documented");
        var output = block["output"]?.ToString() switch
        {
            "field" => ReasoningOutput.Field,
            "think-tags" => ReasoningOutput.ThinkTags,
            var other => throw Invalid($"has 'output' '{other}'; give \"field\" (a reasoning field apart from the content) or \"think-tags\" (<think>…</think> in the content)"),
        };
        var efforts = block["efforts"] is JsonArray list ? list.Select(e => e?.ToString() ?? "").ToList() : [];
        var defaultEffort = block["defaultEffort"]?.ToString() ?? ReasoningTraits.PlainEffort;
        foreach (var effort in efforts.Append(defaultEffort).Where(e => !ReasoningTraits.IsKnownEffort(e)))
            throw Invalid($"names the effort '{effort}'; known efforts are {string.Join(", ", ReasoningTraits.KnownEfforts)}");
        if (efforts.Count > 0 && !efforts.Contains(defaultEffort)) throw Invalid($"has 'defaultEffort' '{defaultEffort}', which is not one of its 'efforts'");
        return new ReasoningTraits(output, efforts, defaultEffort, Formats: Bool(block["formats"]) ?? false, Toggle: Bool(block["toggle"]) ?? false,
            OnByDefault: Bool(block["onByDefault"]) ?? true);
    }

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
    private static bool? Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
}
