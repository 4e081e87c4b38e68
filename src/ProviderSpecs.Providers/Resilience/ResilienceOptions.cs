using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Providers.Resilience;

/// <summary>Timeouts, retries and concurrency for one provider. The OpenAI SDK's own retries are always off.</summary>
public sealed record ResilienceOptions
{
    /// <summary>TCP/TLS connect timeout of the HttpClient the session creates (ignored for a caller-supplied HttpClient).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Per attempt: until the first streamed chunk, or until the whole non-streaming reply.</summary>
    public TimeSpan FirstTokenTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The whole call, across retries and the full stream.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(3);
    /// <summary>Retries after the first attempt, for retryable error keys only. 0 disables retrying.</summary>
    public int MaxRetries { get; init; } = 2;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(20);
    public bool UseJitter { get; init; } = true;
    /// <summary>Longest Retry-After/reset wait honoured; a provider asking for longer fails at once instead.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Whether a timed-out attempt is retried (a timed-out request may still be billed).</summary>
    public bool RetryTimeouts { get; init; } = true;
    /// <summary>
    /// Whether a function call the model got wrong (<c>tool-call-failed</c>: Groq's 400 <c>tool_use_failed</c>) is tried
    /// again. It comes and goes, so the same request often succeeds; but it is a 400 whose generation the provider ran, so
    /// retrying is the caller's choice. Off by default.
    /// </summary>
    public bool RetryToolCallFailures { get; init; }
    /// <summary>Calls in flight per provider session; further calls queue.</summary>
    public int MaxConcurrency { get; init; } = 32;
    public int MaxQueuedCalls { get; init; } = 1024;

    public static ResilienceOptions NoRetries { get; } = new() { MaxRetries = 0 };

    internal bool ShouldRetry(ProviderException error) =>
        RetriesKeyOf(error) && !(error.RateLimit?.SuggestedDelay > MaxRetryAfter);

    /// <summary>Whether the error's key is one these options retry, whatever wait the provider asks for.</summary>
    internal bool RetriesKeyOf(ProviderException error) =>
        (error.IsRetryable && (error.ErrorKey != ErrorKeys.Timeout || RetryTimeouts))
        || (error.ErrorKey == ErrorKeys.ToolCallFailed && RetryToolCallFailures);

    internal void Validate()
    {
        if (MaxRetries < 0) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must be 0 or more.");
        if (MaxConcurrency < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "MaxConcurrency must be at least 1.");
        if (FirstTokenTimeout <= TimeSpan.Zero || TotalTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TotalTimeout), "Timeouts must be positive.");
    }
}

/// <summary>One attempt of a call: its number (1-based), outcome (<c>success</c> or an error key) and the wait before the next.</summary>
public sealed record AttemptRecord(int Number, string Outcome, int? HttpStatus, TimeSpan? DelayBeforeNext, string? Detail)
{
    public const string Success = "success";
    public bool Succeeded => Outcome == Success;
}
