namespace ProviderSpecs.Providers.Errors;

/// <summary>The stable error keys of the taxonomy; features, reports and metrics use these strings.</summary>
public static class ErrorKeys
{
    public const string Authentication = "authentication";
    public const string Permission = "permission";
    public const string ModelNotFound = "model-not-found";
    public const string RateLimited = "rate-limited";
    public const string ContextLengthExceeded = "context-length-exceeded";
    public const string RequestTooLarge = "request-too-large";
    public const string BadRequest = "bad-request";
    public const string Overloaded = "overloaded";
    public const string ServerError = "server-error";
    public const string Timeout = "timeout";
    public const string ConnectionFailed = "connection-failed";
    public const string MalformedResponse = "malformed-response";
    public const string StreamInterrupted = "stream-interrupted";
    public const string UnsupportedParameter = "unsupported-parameter";
    /// <summary>The model's function call did not parse or did not follow the tool's parameters (Groq's <c>tool_use_failed</c>); the same request often succeeds again.</summary>
    public const string ToolCallFailed = "tool-call-failed";
    public const string MissingCredential = "missing-credential";
    public const string UnknownProvider = "unknown-provider";
    /// <summary>The live budget (SPECS_LIVE_MAX_REQUESTS / SPECS_LIVE_MAX_TOKENS, or bench's --max-requests) could not cover the request: nothing was sent.</summary>
    public const string BudgetExhausted = "budget-exhausted";

    public static IReadOnlyList<string> All { get; } =
    [
        Authentication, Permission, ModelNotFound, RateLimited, ContextLengthExceeded, RequestTooLarge, BadRequest,
        Overloaded, ServerError, Timeout, ConnectionFailed, MalformedResponse, StreamInterrupted,
        UnsupportedParameter, ToolCallFailed, MissingCredential, UnknownProvider, BudgetExhausted,
    ];

    /// <summary>The keys of <see cref="IsRetryable"/> as a set (the default of <c>ProviderFallbackChain.MoveOnFor</c>).</summary>
    public static IReadOnlySet<string> Retryable { get; } =
        System.Collections.Frozen.FrozenSet.ToFrozenSet([RateLimited, Overloaded, ServerError, ConnectionFailed, Timeout], StringComparer.Ordinal);

    /// <summary>Keys worth another attempt (same provider after a delay, or the next provider in a fallback chain).</summary>
    public static bool IsRetryable(string key) =>
        key is RateLimited or Overloaded or ServerError or ConnectionFailed or Timeout;
}
