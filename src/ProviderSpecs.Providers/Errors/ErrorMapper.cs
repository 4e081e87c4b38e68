using System.ClientModel;
using System.Net.Sockets;
using System.Text.Json;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Errors;

/// <summary>Turns HTTP failures and transport exceptions into <see cref="ProviderException"/> with a stable key.</summary>
public static class ErrorMapper
{
    /// <summary>Classifies an HTTP error response. <paramref name="header"/> returns a header value or null.</summary>
    public static ProviderException FromHttpResponse(int status, string? body, Func<string, string?> header,
        ProviderDefinition provider, string? model, Exception? inner = null)
    {
        var (message, type, code) = ReadErrorBody(body);
        var key = Classify(status, message, type, code);
        var rateLimit = RateLimitInfo.FromHeaders(header, provider.RateLimitDialect,
            key == ErrorKeys.RateLimited ? RateLimitInfo.LimitFromErrorType(type) ?? LimitFromMessage(message) : null);
        var requestId = header("x-request-id") ?? header("x-together-traceid");
        var text = $"{provider.DisplayName} answered HTTP {status} ({key})"
                   + (model is null ? "" : $" for model '{model}'")
                   + (message is null ? "." : $": {message}")
                   + Advice(key, provider);
        return new ProviderException(key, text, inner)
        {
            ProviderId = provider.Id, Model = model, HttpStatus = status, RequestId = requestId,
            ProviderMessage = message, ProviderErrorType = type, ProviderErrorCode = code, RateLimit = rateLimit,
        }.Redacted(null);
    }

    /// <summary>Classifies any exception thrown while talking to a provider.</summary>
    public static ProviderException FromException(Exception exception, ProviderDefinition provider, string? model,
        bool streamStarted = false, bool cancelledByCaller = false)
    {
        // A refusal of the live budget arrives wrapped by the SDK's transport; it is not a connection failure.
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is Budget.LiveBudgetExceededException spent)
                return new ProviderException(ErrorKeys.BudgetExhausted, spent.Message, exception) { ProviderId = provider.Id, Model = model };

        switch (exception)
        {
            case ProviderException known:
                return known.WithContext(provider.Id, model);
            case ClientResultException sdk when sdk.Status > 0:
                var raw = sdk.GetRawResponse();
                string? body = null;
                try { body = raw?.Content.ToString(); } catch (InvalidOperationException) { /* body not buffered */ }
                return FromHttpResponse(sdk.Status, body, name => raw is not null && raw.Headers.TryGetValue(name, out var v) ? v : null,
                    provider, model, sdk);
        }

        var (key, what) = exception switch
        {
            // Unreadable content is malformed whether or not the stream had started: a garbage chunk mid-stream is
            // the provider sending bad data, not the connection breaking off.
            JsonException or FormatException or ArgumentOutOfRangeException or InvalidDataException =>
                (ErrorKeys.MalformedResponse, streamStarted
                    ? "a streamed chunk could not be read as the expected JSON"
                    : "the response could not be read as the expected JSON"),
            _ when streamStarted && exception is not OperationCanceledException =>
                (ErrorKeys.StreamInterrupted, "the response stream broke off before it finished"),
            OperationCanceledException when !cancelledByCaller => (ErrorKeys.Timeout, "the request timed out"),
            TimeoutException => (ErrorKeys.Timeout, "the request timed out"),
            HttpRequestException or SocketException or IOException or ClientResultException =>
                (ErrorKeys.ConnectionFailed, "the connection failed"),
            _ => (ErrorKeys.ServerError, "an unexpected failure occurred"),
        };
        return new ProviderException(key, $"{provider.DisplayName}: {what}" + (model is null ? "" : $" (model '{model}')")
                                          + $": {exception.Message}", exception)
        {
            ProviderId = provider.Id, Model = model,
        }.Redacted(null);
    }

    internal static string Classify(int status, string? message, string? type, string? code)
    {
        var text = $"{message} {type} {code}".ToLowerInvariant();
        return status switch
        {
            401 => ErrorKeys.Authentication,
            402 or 403 => ErrorKeys.Permission,
            404 => ErrorKeys.ModelNotFound,
            408 or 504 => ErrorKeys.Timeout,
            413 => ErrorKeys.RequestTooLarge,
            429 => ErrorKeys.RateLimited,
            498 or 503 => ErrorKeys.Overloaded,
            400 or 422 when text.Contains("context_length") || text.Contains("context length")
                            || text.Contains("maximum context") || text.Contains("reduce the length") => ErrorKeys.ContextLengthExceeded,
            400 or 422 when code == "model_not_found" => ErrorKeys.ModelNotFound,
            400 when code == "tool_use_failed" => ErrorKeys.ToolCallFailed,
            >= 500 => ErrorKeys.ServerError,
            _ => ErrorKeys.BadRequest,
        };
    }

    internal static (string? Message, string? Type, string? Code) ReadErrorBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null, null);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) ? e : root;
            if (error.ValueKind == JsonValueKind.String) return (error.GetString(), null, null);
            if (error.ValueKind != JsonValueKind.Object) return (Truncate(body), null, null);
            var message = Text(error, "message")
                          ?? (error.TryGetProperty("message", out var nested) ? ValidationErrors(nested) : null)
                          ?? ValidationErrors(error);
            return (message, Text(error, "type"), Text(error, "code"));
        }
        catch (JsonException)
        {
            return (Truncate(body), null, null);
        }
    }

    /// <summary>
    /// A validation failure in FastAPI's shape, <c>{"detail": [{"loc": ["body", "field"], "msg": "…"}]}</c> (Mistral's 422,
    /// alone or as its error's <c>message</c>), as "field: msg; …"; null for any other shape. The rejected input is
    /// left out: it may be a prompt or a key.
    /// </summary>
    private static string? ValidationErrors(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("detail", out var detail)) return null;
        if (detail.ValueKind == JsonValueKind.String) return detail.GetString();
        if (detail.ValueKind != JsonValueKind.Array) return null;
        var problems = new List<string>();
        foreach (var item in detail.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            var where = item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
                ? string.Join('.', loc.EnumerateArray().Select(part => part.ValueKind == JsonValueKind.String ? part.GetString() : part.GetRawText())
                    .SkipWhile(part => part == "body"))
                : null;
            var what = Text(item, "msg") ?? Text(item, "type");
            if (what is not null) problems.Add(string.IsNullOrEmpty(where) ? what : $"{where}: {what}");
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static string Truncate(string text) => text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";

    private static string? LimitFromMessage(string? message) =>
        message is null ? null
        : message.Contains("tokens per", StringComparison.OrdinalIgnoreCase) ? "tokens"
        : message.Contains("requests per", StringComparison.OrdinalIgnoreCase) ? "requests"
        : null;

    private static string Advice(string key, ProviderDefinition provider) => key switch
    {
        ErrorKeys.Authentication => $" Check the key in {provider.KeyEnvVar} (or the key given to the session).",
        ErrorKeys.ModelNotFound => " List the provider's models to see the ids it serves.",
        ErrorKeys.RateLimited => " Wait for the reset or lower the request rate.",
        _ => "",
    };
}
