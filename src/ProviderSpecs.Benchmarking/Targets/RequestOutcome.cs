namespace ProviderSpecs.Benchmarking.Targets;

/// <summary>The end result of one request as the target saw it.</summary>
public readonly record struct RequestOutcome
{
    /// <summary>Error key used when a target throws instead of returning a failed outcome.</summary>
    public const string ClientExceptionKey = "client-exception";

    /// <summary>Error key conventionally used for HTTP 429 responses.</summary>
    public const string RateLimitedKey = "rate-limited";

    public bool Succeeded { get; init; }

    /// <summary>Stable error key (e.g. "rate-limited", "authentication"); null on success.</summary>
    public string? ErrorKey { get; init; }

    /// <summary>Output tokens as reported by the provider's usage; 0 means "use the sum of marked chunk tokens".</summary>
    public int OutputTokens { get; init; }

    /// <summary>HTTP status of the final response, when known.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Retry-After the provider sent with a failure, when any.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True for a 429 or an outcome with the "rate-limited" error key.</summary>
    public bool IsRateLimited => StatusCode == 429 || ErrorKey == RateLimitedKey;

    public static RequestOutcome Success(int outputTokens = 0, int? statusCode = 200) =>
        new() { Succeeded = true, OutputTokens = outputTokens, StatusCode = statusCode };

    public static RequestOutcome Failed(string errorKey, int? statusCode = null, TimeSpan? retryAfter = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(errorKey);
        return new() { Succeeded = false, ErrorKey = errorKey, StatusCode = statusCode, RetryAfter = retryAfter };
    }
}
