using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProviderSpecs.Providers.Logging;

namespace ProviderSpecs.Providers.Budget;

/// <summary>
/// Sits in front of every live request: a completion reserves one request and its maximum output tokens from the
/// <see cref="LiveBudget"/> before it leaves the machine, so the budget holds even under concurrency. A request
/// the budget cannot cover is never sent.
/// </summary>
/// <param name="logger">Where refusals are logged (<see cref="ProviderLog.BudgetCategory"/>); none by default.</param>
public sealed class LiveBudgetHandler(LiveBudget budget, HttpMessageHandler inner, ILogger? logger = null) : DelegatingHandler(inner)
{
    /// <summary>What a completion that names no maximum is charged.</summary>
    public const int DefaultCompletionTokens = 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Output tokens are what a completion may generate; other calls (catalog, fine-tuning) reserve a request only.
        var tokens = request.Method == HttpMethod.Post && IsCompletion(request.RequestUri) ? await MaxTokensOfAsync(request, cancellationToken) : 0;
        if (!budget.TryReserve(tokens))
        {
            if (logger is not null) ProviderLog.BudgetRefused(logger, request.RequestUri?.GetLeftPart(UriPartial.Path) ?? "?", budget.ToString());
            throw new LiveBudgetExceededException(
                $"live budget spent ({budget}); the request to {request.RequestUri?.GetLeftPart(UriPartial.Path)} was not sent. " +
                $"Raise {LiveBudget.MaxRequestsVariable} or {LiveBudget.MaxTokensVariable} to allow more.");
        }
        return await base.SendAsync(request, cancellationToken);
    }

    private static bool IsCompletion(Uri? uri) =>
        uri is not null && (uri.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal) || uri.AbsolutePath.EndsWith("/completions", StringComparison.Ordinal));

    private static async Task<long> MaxTokensOfAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is null) return 0;
        await request.Content.LoadIntoBufferAsync(cancellationToken); // the body is read again when sent
        try
        {
            using var body = JsonDocument.Parse(await request.Content.ReadAsStreamAsync(cancellationToken));
            foreach (var name in new[] { "max_completion_tokens", "max_tokens" })
                if (body.RootElement.TryGetProperty(name, out var value) && value.TryGetInt64(out var max))
                    return max;
        }
        catch (JsonException)
        {
            // Not JSON: charge the default; the provider will refuse it anyway.
        }
        return DefaultCompletionTokens;
    }
}

/// <summary>A live request the budget could not cover; nothing was sent.</summary>
public sealed class LiveBudgetExceededException(string message) : HttpRequestException(message, null, HttpStatusCode.TooManyRequests);
