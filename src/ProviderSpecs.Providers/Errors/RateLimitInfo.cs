using System.Globalization;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Errors;

/// <summary>
/// Rate-limit state from response headers. Groq/OpenAI: requests per day, tokens per minute, resets as Go durations.
/// Together: per-second windows (<c>x-ratelimit-*</c> for requests, <c>x-tokenlimit-*</c> for tokens), reset in seconds.
/// </summary>
public sealed record RateLimitInfo
{
    /// <summary><c>requests</c> or <c>tokens</c> when the provider said which limit was hit; otherwise null.</summary>
    public string? LimitedBy { get; init; }
    public TimeSpan? RetryAfter { get; init; }
    public long? RequestsLimit { get; init; }
    public long? RequestsRemaining { get; init; }
    public TimeSpan? RequestsReset { get; init; }
    public long? TokensLimit { get; init; }
    public long? TokensRemaining { get; init; }
    public TimeSpan? TokensReset { get; init; }

    /// <summary>How long to wait before the next attempt: Retry-After, else the reset of the limit that was hit.</summary>
    public TimeSpan? SuggestedDelay => RetryAfter ?? (LimitedBy switch
    {
        "tokens" => TokensReset,
        "requests" => RequestsReset,
        _ => Max(RequestsRemaining == 0 ? RequestsReset : null, TokensRemaining == 0 ? TokensReset : null),
    });

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    /// <summary>Reads the headers of one response; null when it carries none of them.</summary>
    public static RateLimitInfo? FromHeaders(Func<string, string?> header, RateLimitDialect dialect, string? limitedBy = null, DateTimeOffset? now = null)
    {
        var retryAfter = ParseRetryAfter(header("retry-after"), now ?? DateTimeOffset.UtcNow);
        RateLimitInfo info = dialect == RateLimitDialect.Together
            ? new RateLimitInfo
            {
                RequestsLimit = Long(header("x-ratelimit-limit")),
                RequestsRemaining = Long(header("x-ratelimit-remaining")),
                RequestsReset = Seconds(header("x-ratelimit-reset")),
                TokensLimit = Long(header("x-tokenlimit-limit")),
                TokensRemaining = Long(header("x-tokenlimit-remaining")),
            }
            : new RateLimitInfo
            {
                RequestsLimit = Long(header("x-ratelimit-limit-requests")),
                RequestsRemaining = Long(header("x-ratelimit-remaining-requests")),
                RequestsReset = Duration(header("x-ratelimit-reset-requests")),
                TokensLimit = Long(header("x-ratelimit-limit-tokens")),
                TokensRemaining = Long(header("x-ratelimit-remaining-tokens")),
                TokensReset = Duration(header("x-ratelimit-reset-tokens")),
            };
        info = info with { RetryAfter = retryAfter, LimitedBy = limitedBy };
        return info == new RateLimitInfo { LimitedBy = limitedBy } ? (limitedBy is null ? null : info) : info;
    }

    /// <summary>Maps the provider's 429 error type to which limit was hit.</summary>
    public static string? LimitFromErrorType(string? type) => type switch
    {
        "tokens" or "dynamic_token_limited" => "tokens",
        "requests" or "dynamic_request_limited" => "requests",
        _ => null,
    };

    internal static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }

    private static long? Long(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static TimeSpan? Seconds(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? TimeSpan.FromSeconds(s) : null;

    private static TimeSpan? Duration(string? value) =>
        GoDuration.TryParse(value, out var span) ? span : Seconds(value);
}
