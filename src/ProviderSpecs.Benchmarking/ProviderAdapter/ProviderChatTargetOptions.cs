using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Benchmarking.ProviderAdapter;

/// <summary>When the credential chain is walked: once per target (the usual case) or for every request.</summary>
public enum CredentialResolutionMode
{
    /// <summary>The chain is resolved once; every request reuses the session and its chat client.</summary>
    Once,

    /// <summary>
    /// Every request resolves the chain again and builds its own session and chat client (as an application that
    /// opens a client per request does): the difference to <see cref="Once"/> is the authentication overhead.
    /// </summary>
    PerRequest,
}

/// <summary>What <see cref="ProviderChatTarget"/> sends and how. <see cref="ToString"/> masks the key.</summary>
public sealed record ProviderChatTargetOptions
{
    /// <summary>Provider id or alias as in the registry (<c>groq</c>, <c>together</c>, …).</summary>
    public required string Provider { get; init; }

    public required string Model { get; init; }

    /// <summary>Base URL override (e.g. a simulator on 127.0.0.1); else <c>*_BASE_URL</c>, else the registry's.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>Explicit key (source 1 of the chain); null lets the chain find one.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Environment the credential chain and base-URL override read; the process by default.</summary>
    public CredentialEnvironment? Environment { get; init; }

    public ProviderRegistry? Registry { get; init; }

    public string Prompt { get; init; } = "Write a short paragraph about measuring latency.";

    /// <summary>Output token limit per request (sent under the provider's documented name: max_completion_tokens, Together AI's max_tokens); null leaves it to the provider.</summary>
    public int? MaxOutputTokens { get; init; } = 64;

    public float? Temperature { get; init; }

    /// <summary>True: stream each reply (chunks, TTFT, gaps). False: one non-streaming call (TTFT is then the whole reply).</summary>
    public bool Streaming { get; init; } = true;

    public CredentialResolutionMode CredentialResolution { get; init; } = CredentialResolutionMode.Once;

    /// <summary>Retries, timeouts and the session's concurrency limiter. <see cref="ProviderChatTarget"/> raises the limiter to at least <see cref="MaxConcurrency"/>.</summary>
    public ResilienceOptions Resilience { get; init; } = new();

    /// <summary>The highest concurrency the target will be driven at, so the session's limiter never queues a benchmark request.</summary>
    public int MaxConcurrency { get; init; } = 256;

    /// <summary>Shared request budget (live runs): when it is spent, requests fail with <c>budget-exhausted</c> and nothing is sent.</summary>
    public LiveBudget? Budget { get; init; }

    /// <summary>Paces requests under the provider's announced rate limits (live runs); shared with other sessions of the account. Null: no pacing.</summary>
    public RateLimitPacer? RateLimits { get; init; }

    /// <summary>Called after each request with what the provider layer returned (tests pair it with server-side logs).</summary>
    public Action<ProviderChatObservation>? OnCompleted { get; init; }

    public override string ToString() =>
        $"ProviderChatTargetOptions({Provider}/{Model}, key {(ApiKey is null ? "from the chain" : KeyMask.Mask(ApiKey))}, base {BaseUrl?.ToString() ?? "default"}, "
        + $"{(Streaming ? "streaming" : "non-streaming")}, credentials {CredentialResolution}, max tokens {MaxOutputTokens?.ToString() ?? "default"})";
}

/// <summary>What one request returned, as the provider layer saw it. Holds no key.</summary>
public sealed record ProviderChatObservation(
    bool Succeeded,
    string? ErrorKey,
    int? HttpStatus,
    string? RequestId,
    TimeSpan? TimeToFirstToken,
    TimeSpan Elapsed,
    int Chunks,
    long? OutputTokens,
    TimeSpan? QueueTime,
    int Attempts,
    TimeSpan? CredentialResolutionTime);

