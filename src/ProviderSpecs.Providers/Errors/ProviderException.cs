using System.ClientModel;
using System.Text;
using ProviderSpecs.Providers.Logging;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Errors;

/// <summary>
/// Every failure of the provider layer, classified by a stable <see cref="ErrorKey"/>.
/// Never carries an API key: messages are built from provider responses and our own text only, and a key a provider
/// echoes is masked (<see cref="Redacted"/>).
/// </summary>
public class ProviderException : Exception
{
    public ProviderException(string errorKey, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorKey = errorKey;
    }

    /// <summary>One of <see cref="ErrorKeys"/>.</summary>
    public string ErrorKey { get; }
    public string? ProviderId { get; init; }
    public string? Model { get; init; }
    public int? HttpStatus { get; init; }
    /// <summary>The provider's request id (x-request-id header, else Together's x-together-traceid).</summary>
    public string? RequestId { get; init; }
    /// <summary>The provider's own error message, verbatim.</summary>
    public string? ProviderMessage { get; init; }
    /// <summary>The provider's error type and code (e.g. <c>invalid_request_error</c>, <c>model_not_found</c>).</summary>
    public string? ProviderErrorType { get; init; }
    public string? ProviderErrorCode { get; init; }
    /// <summary>Rate-limit state read from the response headers, when the provider sent any.</summary>
    public RateLimitInfo? RateLimit { get; init; }
    /// <summary>Every attempt made before giving up (filled by the resilience pipeline).</summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; internal set; } = [];

    public bool IsRetryable => ErrorKeys.IsRetryable(ErrorKey);

    /// <summary>A copy with provider and model filled in where they were unknown at the throw site.</summary>
    internal ProviderException WithContext(string? providerId, string? model) =>
        Copy(providerId: ProviderId ?? providerId, model: Model ?? model);

    /// <summary>
    /// A copy with the provider's request id filled in where the throw site did not know it (a cut-off stream, an
    /// unreadable 200 body); the same instance when there is nothing to add.
    /// </summary>
    internal ProviderException WithRequestId(string? requestId) =>
        RequestId is not null || requestId is null ? this : Copy(requestId: requestId);

    /// <summary>A copy with <paramref name="extra"/> appended to the message (same key, fields and attempts).</summary>
    internal ProviderException WithMessageSuffix(string extra) => Copy(message: Message + extra);

    /// <summary>
    /// A copy in which <paramref name="key"/> and anything shaped like a provider key or bearer token is masked
    /// (<c>gsk_…a1b2</c>) — in the message, the provider's message and the inner exception's message, which for the SDK's
    /// <c>ClientResultException</c> quotes the response body. A provider may echo the key it was sent; the exception
    /// must not. The same instance when there was nothing to mask.
    /// </summary>
    internal ProviderException Redacted(string? key)
    {
        var message = ProviderLog.Redact(Message, key);
        var providerMessage = ProviderMessage is null ? null : ProviderLog.Redact(ProviderMessage, key);
        var inner = InnerException is { } e && ProviderLog.Redact(e.Message, key) is var innerMessage && innerMessage != e.Message
            ? e is ClientResultException sdk
                ? new ClientResultException(innerMessage, sdk.GetRawResponse())
                : new InvalidOperationException($"{e.GetType().FullName}: {innerMessage}")
            : InnerException;
        return message == Message && providerMessage == ProviderMessage && ReferenceEquals(inner, InnerException)
            ? this
            : Copy(message: message, inner: inner, providerMessage: providerMessage);
    }

    private ProviderException Copy(string? message = null, Exception? inner = null, string? providerId = null, string? model = null,
        string? requestId = null, string? providerMessage = null) =>
        new(ErrorKey, message ?? Message, inner ?? InnerException)
        {
            ProviderId = providerId ?? ProviderId, Model = model ?? Model, HttpStatus = HttpStatus,
            RequestId = requestId ?? RequestId, ProviderMessage = providerMessage ?? ProviderMessage, ProviderErrorType = ProviderErrorType,
            ProviderErrorCode = ProviderErrorCode, RateLimit = RateLimit, Attempts = Attempts,
        };

    public override string ToString()
    {
        var text = new StringBuilder($"{GetType().Name} [{ErrorKey}] {Message}");
        if (ProviderId is not null) text.Append($" provider={ProviderId}");
        if (Model is not null) text.Append($" model={Model}");
        if (HttpStatus is not null) text.Append($" status={HttpStatus}");
        if (RequestId is not null) text.Append($" request-id={RequestId}");
        if (Attempts.Count > 0) text.Append($" attempts={Attempts.Count}");
        if (InnerException is not null) text.Append($"{Environment.NewLine} ---> {InnerException.GetType().Name}: {InnerException.Message}");
        return text.ToString();
    }
}

/// <summary>An id or alias that names no registered provider.</summary>
public sealed class UnknownProviderException(string requested, IReadOnlyList<string> closeMatches, IReadOnlyList<string> knownIds)
    : ProviderException(ErrorKeys.UnknownProvider, BuildMessage(requested, closeMatches, knownIds))
{
    public string Requested { get; } = requested;
    public IReadOnlyList<string> CloseMatches { get; } = closeMatches;
    public IReadOnlyList<string> KnownIds { get; } = knownIds;

    private static string BuildMessage(string requested, IReadOnlyList<string> closeMatches, IReadOnlyList<string> knownIds) =>
        $"Unknown provider '{requested}'. "
        + (closeMatches.Count > 0 ? $"Did you mean: {string.Join(", ", closeMatches)}? " : "")
        + $"Known providers: {string.Join(", ", knownIds)}.";
}
