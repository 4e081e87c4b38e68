using Microsoft.Extensions.AI;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Chat;

/// <summary>Token counts plus Groq's server timings when it sent them.</summary>
public sealed record ChatUsage(long? InputTokens, long? OutputTokens, long? TotalTokens, GroqTimings? ProviderTimings);

/// <summary>A finished chat call: the reply, normalised metadata, and every attempt it took.</summary>
public sealed record ChatResult
{
    public required string ProviderId { get; init; }
    public required string Model { get; init; }
    public required string Text { get; init; }
    /// <summary>stop, length, tool_calls or content_filter (Together's <c>eos</c> becomes stop).</summary>
    public string? FinishReason { get; init; }
    /// <summary>The finish reason exactly as the provider sent it.</summary>
    public string? RawFinishReason { get; init; }
    public ChatUsage? Usage { get; init; }
    /// <summary>The completion id (<c>chatcmpl-…</c>).</summary>
    public string? ResponseId { get; init; }
    /// <summary>The provider's request id from the x-request-id header, else Together's x-together-traceid.</summary>
    public string? RequestId { get; init; }
    /// <summary>Groq's <c>x_groq.id</c>.</summary>
    public string? ProviderResponseId { get; init; }
    public RateLimitInfo? RateLimit { get; init; }
    public required IReadOnlyList<AttemptRecord> Attempts { get; init; }
    /// <summary>Wall time of the whole call, retries included.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>Streaming only: from call start to the first chunk with content.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }
    public int StreamedChunks { get; init; }
    public required ChatResponse Response { get; init; }
}
