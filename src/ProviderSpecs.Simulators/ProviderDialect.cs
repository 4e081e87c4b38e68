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
internal sealed record ErrorReply(int Status, string Message, string Type, string? Code = null, string? Param = null);

/// <summary>Token counts and (Groq) timings of one completion, in seconds.</summary>
internal sealed record CompletionUsage(int PromptTokens, int CompletionTokens, double QueueTime, double PromptTime, double CompletionTime)
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

    public abstract JsonNode ModelList(IEnumerable<CatalogModel> models);

    public abstract ErrorReply InvalidApiKey();
    public abstract ErrorReply ModelNotFound(string model);
    public abstract ErrorReply UnknownUrl(string method, string path);
    public abstract ErrorReply RateLimited(string model, RateLimits limits, TimeSpan retryAfter);
    public abstract ErrorReply ContextLengthExceeded(CatalogModel model, int promptTokens, int? maxTokens);
    /// <summary>The answer to a prompt larger than the key's token limit; null where the provider has no such check.</summary>
    public abstract ErrorReply? RequestTooLarge(CatalogModel model, int promptTokens);
    public abstract ErrorReply? UnsupportedN(int n);
    public abstract ErrorReply? JsonSchemaUnsupported(string model);
    public abstract ErrorReply InvalidJson();
    public abstract ErrorReply WrongContentType(string? contentType);
    public abstract ErrorReply InvalidField(string message, string param);
    public abstract ErrorReply NotAChatModel(string model);
    public abstract ErrorReply Overloaded();
    public abstract ErrorReply ServerError();

    public abstract JsonObject Completion(CompletionIdentity identity, string content, string finishReason, CompletionUsage usage);
    /// <summary>The chunks sent before content: Groq sends a role-only chunk carrying x_groq.id; Together sends none.</summary>
    public abstract IEnumerable<JsonObject> OpeningChunks(CompletionIdentity identity, bool includeUsage);
    public abstract JsonObject ContentChunk(CompletionIdentity identity, string text, bool includeUsage);
    public abstract IEnumerable<JsonObject> ClosingChunks(CompletionIdentity identity, string finishReason, CompletionUsage usage, bool includeUsage);

    protected static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture);

    protected static JsonObject Chunk(CompletionIdentity identity, JsonArray choices) => new()
    {
        ["id"] = identity.Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = identity.Created,
        ["model"] = identity.Model,
        ["choices"] = choices,
    };
}
