using System.Text.Json;
using ProviderSpecs.Providers.Catalog;

namespace ProviderSpecs.Drivers.Catalog;

/// <summary>How the features write catalog words: kinds as the providers name them, capabilities as a reader does.</summary>
public static class CatalogText
{
    public static string KindName(ModelKind kind) => JsonSerializer.Serialize(kind).Trim('"');

    public static ModelKind ParseKind(string name) =>
        Enum.GetValues<ModelKind>().FirstOrDefault(k => KindName(k) == name.Trim().ToLowerInvariant()) is var kind && KindName(kind) == name.Trim().ToLowerInvariant()
            ? kind
            : throw new ArgumentException($"'{name}' is not a model kind; use one of {string.Join(", ", Enum.GetValues<ModelKind>().Select(KindName))}.");

    public static ModelCapability ParseCapability(string name) => name.Trim().ToLowerInvariant() switch
    {
        "json schema" or "json-schema" or "structured output" => ModelCapability.JsonSchema,
        "json mode" or "json-mode" => ModelCapability.JsonMode,
        "tool calls" or "tools" => ModelCapability.ToolCalls,
        "reasoning" => ModelCapability.Reasoning,
        "streaming" => ModelCapability.Streaming,
        "fine-tuning" or "fine tuning" => ModelCapability.FineTuning,
        _ => throw new ArgumentException($"'{name}' is not a capability; use JSON schema, JSON mode, tool calls, reasoning, streaming or fine-tuning."),
    };
}
