using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProviderSpecs.Providers.Registry;

/// <summary>One provider as described by the bundled registry (Registry/providers.json).</summary>
public sealed record ProviderDefinition
{
    public required string Id { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public required string DisplayName { get; init; }
    /// <summary>How the layer talks to it; every provider here is <c>openai-compatible</c>.</summary>
    public required string Adapter { get; init; }
    public required Uri BaseUrl { get; init; }
    public required string KeyEnvVar { get; init; }
    public required string BaseUrlEnvVar { get; init; }
    public string AuthScheme { get; init; } = "bearer";
    /// <summary>Documented key prefix (e.g. <c>gsk_</c>); null when the provider documents none.</summary>
    public string? KeyPrefix { get; init; }
    public Uri? DocsUrl { get; init; }
    public required ModelListShape ModelListShape { get; init; }
    public required RateLimitDialect RateLimitDialect { get; init; }
    /// <summary>
    /// The provider's names for request fields the OpenAI SDK writes under OpenAI's, keyed by OpenAI's name. The layer
    /// sends each under the provider's name, so a strict provider does not refuse it and a lenient one does not take it
    /// for an unknown field and ignore it (Together AI and Mistral document the output-token limit only as
    /// <c>max_tokens</c>; Mistral's seed is <c>random_seed</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> RequestFieldNames { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Request fields the OpenAI SDK writes that the provider refuses, which the layer leaves out (Mistral answers 422
    /// <c>extra_forbidden</c> to <c>stream_options</c>, which the SDK adds to every stream; it sends usage on its last
    /// chunk unasked).
    /// </summary>
    public IReadOnlyList<string> OmittedRequestFields { get; init; } = [];

    /// <summary>How the provider's requests differ from what the OpenAI SDK writes, a line each ("max_completion_tokens is sent as max_tokens").</summary>
    public IReadOnlyList<string> DescribeRequestFields() =>
    [
        .. RequestFieldNames.Select(pair => $"{pair.Key} is sent as {pair.Value}"),
        .. OmittedRequestFields.Select(name => $"{name} is left out"),
    ];

    /// <summary>The request field the provider documents for the output-token limit (<c>ChatOptions.MaxOutputTokens</c>).</summary>
    public string MaxTokensField => RequestFieldNames.GetValueOrDefault(DefaultMaxTokensField, DefaultMaxTokensField);

    /// <summary>The field the OpenAI SDK writes the output-token limit as.</summary>
    public const string DefaultMaxTokensField = "max_completion_tokens";

    /// <summary>Provider-specific request fields it accepts beyond the common OpenAI ones, with their constraints.</summary>
    public IReadOnlyDictionary<string, OptionRule> Options { get; init; } = new Dictionary<string, OptionRule>();
}

/// <summary>Constraint on one provider-specific request option.</summary>
public sealed record OptionRule
{
    public IReadOnlyList<string>? Values { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ModelListShape>))]
public enum ModelListShape
{
    [JsonStringEnumMemberName("openai-list")] OpenAiList,
    [JsonStringEnumMemberName("groq-list")] GroqList,
    [JsonStringEnumMemberName("together-array")] TogetherArray,
}

[JsonConverter(typeof(JsonStringEnumConverter<RateLimitDialect>))]
public enum RateLimitDialect
{
    [JsonStringEnumMemberName("openai")] OpenAi,
    [JsonStringEnumMemberName("groq")] Groq,
    [JsonStringEnumMemberName("together")] Together,
}

internal sealed record RegistryDocument(IReadOnlyList<string> CommonOptions, IReadOnlyList<ProviderDefinition> Providers)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
