using System.Text.Json.Serialization;

namespace ProviderSpecs.Providers.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<ModelKind>))]
public enum ModelKind
{
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("chat")] Chat,
    [JsonStringEnumMemberName("code")] Code,
    [JsonStringEnumMemberName("language")] Language,
    [JsonStringEnumMemberName("embedding")] Embedding,
    [JsonStringEnumMemberName("image")] Image,
    [JsonStringEnumMemberName("rerank")] Rerank,
    [JsonStringEnumMemberName("moderation")] Moderation,
    [JsonStringEnumMemberName("audio")] Audio,
}

public enum ModelCapability { Streaming, ToolCalls, JsonMode, JsonSchema, Reasoning, FineTuning }

/// <summary>Where a field's value came from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FieldSource>))]
public enum FieldSource
{
    [JsonStringEnumMemberName("live")] Live,
    [JsonStringEnumMemberName("snapshot")] Snapshot,
}

/// <summary>Capability flags; null means neither the provider nor the snapshot says.</summary>
public sealed record ModelCapabilities
{
    public bool? Streaming { get; init; }
    public bool? ToolCalls { get; init; }
    public bool? JsonMode { get; init; }
    public bool? JsonSchema { get; init; }
    public bool? Reasoning { get; init; }
    public bool? FineTunable { get; init; }

    public bool? Get(ModelCapability capability) => capability switch
    {
        ModelCapability.Streaming => Streaming,
        ModelCapability.ToolCalls => ToolCalls,
        ModelCapability.JsonMode => JsonMode,
        ModelCapability.JsonSchema => JsonSchema,
        ModelCapability.Reasoning => Reasoning,
        ModelCapability.FineTuning => FineTunable,
        _ => null,
    };
}

/// <summary>One model, normalised across providers. Prices are USD per 1M tokens.</summary>
public sealed record ModelInfo
{
    public required string Id { get; init; }
    public required string ProviderId { get; init; }
    public string? DisplayName { get; init; }
    public string? Owner { get; init; }
    public ModelKind Kind { get; init; } = ModelKind.Unknown;
    public int? ContextWindow { get; init; }
    public int? MaxOutputTokens { get; init; }
    public bool? Active { get; init; }
    public decimal? InputPricePerMillionTokens { get; init; }
    public decimal? OutputPricePerMillionTokens { get; init; }
    public ModelCapabilities Capabilities { get; init; } = new();

    /// <summary>The size in parameters its id states (<see cref="ModelSize.FromId"/>); null when the id states none.</summary>
    public ModelSize? Size => ModelSize.FromId(Id);

    /// <summary>Per field (camelCase name as in JSON: contextWindow, maxOutputTokens, …): live or snapshot.</summary>
    public IReadOnlyDictionary<string, FieldSource> Provenance { get; init; } = new Dictionary<string, FieldSource>();
}
