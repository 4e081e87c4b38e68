using System.Text.Json;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Catalog;

/// <summary>Parses each provider's /models shape into <see cref="ModelInfo"/> and merges snapshot facts in.</summary>
public static class ModelNormaliser
{
    public static IReadOnlyList<ModelInfo> Parse(string json, ProviderDefinition provider)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var entries = provider.ModelListShape == ModelListShape.TogetherArray && root.ValueKind == JsonValueKind.Array
            ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
                ? data
                : throw new JsonException(provider.ModelListShape == ModelListShape.TogetherArray
                    ? "Expected a JSON array of models."
                    : "Expected an object with a \"data\" array of models.");
        return entries.EnumerateArray().Select(e => ParseEntry(e, provider)).ToList();
    }

    private static ModelInfo ParseEntry(JsonElement e, ProviderDefinition provider)
    {
        var id = Str(e, "id") ?? throw new JsonException("A model entry has no \"id\".");
        var pricing = Prop(e, "pricing");
        var model = new ModelInfo
        {
            Id = id,
            ProviderId = provider.Id,
            DisplayName = Str(e, "display_name"),
            Owner = Str(e, "owned_by") ?? Str(e, "organization"),
            Kind = KindFrom(Str(e, "type")),
            ContextWindow = Int(e, "context_window") ?? Int(e, "context_length"),
            MaxOutputTokens = Int(e, "max_completion_tokens"),
            Active = Prop(e, "active")?.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetProperty("active").GetBoolean() : null,
            InputPricePerMillionTokens = pricing is { } p ? Dec(p, "input") : null,
            OutputPricePerMillionTokens = pricing is { } q ? Dec(q, "output") : null,
        };
        return model with { Provenance = AllKnownFields(model, FieldSource.Live) };
    }

    /// <summary>Fills the gaps of a live entry from the snapshot, recording where each field came from.</summary>
    public static ModelInfo Enrich(ModelInfo live, ModelInfo? snapshot)
    {
        if (snapshot is null) return live;
        var provenance = new Dictionary<string, FieldSource>(live.Provenance);
        T? Pick<T>(T? liveValue, T? snapValue, string field)
        {
            if (liveValue is not null) return liveValue;
            if (snapValue is not null) provenance[field] = FieldSource.Snapshot;
            return snapValue;
        }
        var lc = live.Capabilities;
        var sc = snapshot.Capabilities;
        var merged = live with
        {
            DisplayName = Pick(live.DisplayName, snapshot.DisplayName, "displayName"),
            Owner = Pick(live.Owner, snapshot.Owner, "owner"),
            Kind = live.Kind != ModelKind.Unknown ? live.Kind : Pick<ModelKind?>(null, snapshot.Kind, "kind") ?? ModelKind.Unknown,
            ContextWindow = Pick(live.ContextWindow, snapshot.ContextWindow, "contextWindow"),
            MaxOutputTokens = Pick(live.MaxOutputTokens, snapshot.MaxOutputTokens, "maxOutputTokens"),
            Active = Pick(live.Active, snapshot.Active, "active"),
            InputPricePerMillionTokens = Pick(live.InputPricePerMillionTokens, snapshot.InputPricePerMillionTokens, "inputPricePerMillionTokens"),
            OutputPricePerMillionTokens = Pick(live.OutputPricePerMillionTokens, snapshot.OutputPricePerMillionTokens, "outputPricePerMillionTokens"),
            Capabilities = new ModelCapabilities
            {
                Streaming = Pick(lc.Streaming, sc.Streaming, "capabilities.streaming"),
                ToolCalls = Pick(lc.ToolCalls, sc.ToolCalls, "capabilities.toolCalls"),
                JsonMode = Pick(lc.JsonMode, sc.JsonMode, "capabilities.jsonMode"),
                JsonSchema = Pick(lc.JsonSchema, sc.JsonSchema, "capabilities.jsonSchema"),
                Reasoning = Pick(lc.Reasoning, sc.Reasoning, "capabilities.reasoning"),
                FineTunable = Pick(lc.FineTunable, sc.FineTunable, "capabilities.fineTunable"),
            },
        };
        return merged with { Provenance = provenance };
    }

    internal static Dictionary<string, FieldSource> AllKnownFields(ModelInfo m, FieldSource source)
    {
        var fields = new Dictionary<string, FieldSource>();
        void Mark(object? value, string name) { if (value is not null) fields[name] = source; }
        Mark(m.DisplayName, "displayName"); Mark(m.Owner, "owner");
        if (m.Kind != ModelKind.Unknown) fields["kind"] = source;
        Mark(m.ContextWindow, "contextWindow"); Mark(m.MaxOutputTokens, "maxOutputTokens"); Mark(m.Active, "active");
        Mark(m.InputPricePerMillionTokens, "inputPricePerMillionTokens"); Mark(m.OutputPricePerMillionTokens, "outputPricePerMillionTokens");
        var c = m.Capabilities;
        Mark(c.Streaming, "capabilities.streaming"); Mark(c.ToolCalls, "capabilities.toolCalls"); Mark(c.JsonMode, "capabilities.jsonMode");
        Mark(c.JsonSchema, "capabilities.jsonSchema"); Mark(c.Reasoning, "capabilities.reasoning"); Mark(c.FineTunable, "capabilities.fineTunable");
        return fields;
    }

    private static ModelKind KindFrom(string? type) => type?.ToLowerInvariant() switch
    {
        null => ModelKind.Unknown,
        "chat" => ModelKind.Chat,
        "code" => ModelKind.Code,
        "language" => ModelKind.Language,
        "embedding" => ModelKind.Embedding,
        "image" => ModelKind.Image,
        "rerank" => ModelKind.Rerank,
        "moderation" => ModelKind.Moderation,
        "audio" or "transcribe" => ModelKind.Audio,
        _ => ModelKind.Unknown,
    };

    private static JsonElement? Prop(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is not JsonValueKind.Null ? v : null;
    private static string? Str(JsonElement e, string n) => Prop(e, n) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
    private static int? Int(JsonElement e, string n) => Prop(e, n) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var i) ? i : null;
    private static decimal? Dec(JsonElement e, string n) => Prop(e, n) is { ValueKind: JsonValueKind.Number } v ? v.GetDecimal() : null;
}
