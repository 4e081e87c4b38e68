using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Logging;

/// <summary>
/// The layer's log categories and events (<see cref="ILogger"/>, opt-in through <see cref="ProviderSessionOptions.LoggerFactory"/>
/// or dependency injection). Keys never reach a log: the session's own key is replaced by its mask, and so is anything
/// else shaped like a provider key or a bearer token.
/// </summary>
public static partial class ProviderLog
{
    /// <summary>Session opened; which source answered the credential chain (key masked); credential warnings.</summary>
    public const string SessionCategory = "ProviderSpecs.Providers.Session";
    /// <summary>Calls: each retry with its reason and wait, the answer, the final failure with its error key.</summary>
    public const string ChatCategory = "ProviderSpecs.Providers.Chat";
    /// <summary>Fallback chains: a link that failed and the one tried next, who answered, all links failed.</summary>
    public const string FallbackCategory = "ProviderSpecs.Providers.Fallback";
    /// <summary>Requests a live budget refused (nothing was sent).</summary>
    public const string BudgetCategory = "ProviderSpecs.Providers.Budget";

    private static readonly Lazy<Regex> KeyShape = new(() =>
    {
        var prefixes = ProviderRegistry.Default.Providers.Select(p => p.KeyPrefix).Where(p => !string.IsNullOrEmpty(p))
            .Append("tgp_v1_").Distinct().Select(p => Regex.Escape(p!));
        // A registered key prefix followed by a key-length body, or whatever follows "Bearer ".
        return new Regex($@"(?<![A-Za-z0-9_-])(?:{string.Join("|", prefixes)})[A-Za-z0-9_\-]{{16,}}|(?<=Bearer\s+)[A-Za-z0-9._~+/=-]{{8,}}",
            RegexOptions.CultureInvariant);
    });

    /// <summary>
    /// <paramref name="text"/> with <paramref name="key"/> and anything shaped like a provider key or a bearer token replaced by
    /// its mask (<c>gsk_…a1b2</c>). Every text from a provider (error messages) passes through here before it is logged.
    /// </summary>
    public static string Redact(string? text, string? key = null)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!string.IsNullOrEmpty(key) && text.Contains(key, StringComparison.Ordinal)) text = text.Replace(key, KeyMask.Mask(key), StringComparison.Ordinal);
        return KeyShape.Value.Replace(text, match => KeyMask.Mask(match.Value));
    }

    [LoggerMessage(EventId = 1, EventName = "SessionOpened", Level = LogLevel.Debug,
        Message = "Opened a {Provider} session at {BaseUrl} (base URL from {BaseUrlSource})")]
    internal static partial void SessionOpened(ILogger logger, string provider, Uri baseUrl, BaseUrlSource baseUrlSource);

    [LoggerMessage(EventId = 2, EventName = "CredentialResolved", Level = LogLevel.Debug,
        Message = "{Provider} key {MaskedKey} from {CredentialSource}")]
    internal static partial void CredentialResolved(ILogger logger, string provider, string maskedKey, string credentialSource);

    [LoggerMessage(EventId = 3, EventName = "CredentialMissing", Level = LogLevel.Warning,
        Message = "No {Provider} key found; set {KeyVariable}, add it to .env or the credentials file, or configure an explicit key")]
    internal static partial void CredentialMissing(ILogger logger, string provider, string keyVariable);

    [LoggerMessage(EventId = 4, EventName = "CredentialWarning", Level = LogLevel.Warning, Message = "{Provider} credential: {Warning}")]
    internal static partial void CredentialWarning(ILogger logger, string provider, string warning);

    [LoggerMessage(EventId = 10, EventName = "CallAnswered", Level = LogLevel.Debug,
        Message = "{Provider}/{Model}: {Mode} answered on attempt {Attempt} in {ElapsedMs:F0} ms (finish {FinishReason}, request {RequestId})")]
    internal static partial void CallAnswered(ILogger logger, string provider, string model, string mode, int attempt, double elapsedMs, string? finishReason, string? requestId);

    [LoggerMessage(EventId = 11, EventName = "Retrying", Level = LogLevel.Warning,
        Message = "{Provider}/{Model}: attempt {Attempt} of {MaxAttempts} failed with {ErrorKey} (HTTP {HttpStatus}); retrying in {DelayMs:F0} ms: {Reason}")]
    internal static partial void Retrying(ILogger logger, string provider, string model, int attempt, int maxAttempts, string errorKey, int? httpStatus, double delayMs, string reason);

    [LoggerMessage(EventId = 12, EventName = "CallFailed", Level = LogLevel.Warning,
        Message = "{Provider}/{Model}: {Mode} failed with {ErrorKey} after {Attempts} attempt(s): {Reason}")]
    internal static partial void CallFailed(ILogger logger, string provider, string model, string mode, string errorKey, int attempts, string reason);

    [LoggerMessage(EventId = 20, EventName = "FallbackMovingOn", Level = LogLevel.Warning,
        Message = "Fallback: {Provider}/{Model} failed with {ErrorKey}; trying {NextProvider}/{NextModel}")]
    internal static partial void FallbackMovingOn(ILogger logger, string provider, string model, string errorKey, string nextProvider, string nextModel);

    [LoggerMessage(EventId = 21, EventName = "FallbackAnswered", Level = LogLevel.Information,
        Message = "Fallback: answered by {Provider}/{Model} after {FailedLinks} failed link(s)")]
    internal static partial void FallbackAnswered(ILogger logger, string provider, string model, int failedLinks);

    [LoggerMessage(EventId = 22, EventName = "FallbackExhausted", Level = LogLevel.Error,
        Message = "Fallback: every link failed ({Steps})")]
    internal static partial void FallbackExhausted(ILogger logger, string steps);

    [LoggerMessage(EventId = 23, EventName = "FallbackStopped", Level = LogLevel.Warning,
        Message = "Fallback: {Provider}/{Model} failed with {ErrorKey}, which the chain does not move on for; the next link would reject it too")]
    internal static partial void FallbackStopped(ILogger logger, string provider, string model, string errorKey);

    [LoggerMessage(EventId = 30, EventName = "BudgetRefused", Level = LogLevel.Warning,
        Message = "Live budget refused a request to {Endpoint} ({Budget}); nothing was sent")]
    internal static partial void BudgetRefused(ILogger logger, string endpoint, string budget);
}
