using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Logging;

namespace ProviderSpecs.Providers.Resilience;

/// <summary>What happened at one link of a fallback chain.</summary>
public sealed record FallbackStep(string ProviderId, string Model, string Outcome, string? Reason, int Attempts)
{
    public bool Answered => Outcome == AttemptRecord.Success;
}

/// <summary>The answer of a fallback chain: the result, who answered, and why the ones before did not.</summary>
public sealed record FallbackResult(ChatResult Result, IReadOnlyList<FallbackStep> Steps)
{
    public string AnsweringProvider => Result.ProviderId;
    public string AnsweringModel => Result.Model;
}

/// <summary>
/// Tries chat clients in order (e.g. Groq then Together), moving on only for the failures in <see cref="MoveOnFor"/>
/// (by default the retryable ones, after each client has spent its own retries). Any other failure stops the chain,
/// since another provider would reject the same request too.
/// </summary>
public sealed class ProviderFallbackChain(IReadOnlyList<ProviderChatClient> links)
{
    private readonly IReadOnlySet<string> _moveOnFor = ErrorKeys.Retryable;

    public IReadOnlyList<ProviderChatClient> Links { get; } = links.Count > 0
        ? links
        : throw new ArgumentException("A fallback chain needs at least one chat client.", nameof(links));

    /// <summary>
    /// Error keys for which the chain moves on to the next link; any other failure is thrown at once. Default
    /// <see cref="ErrorKeys.Retryable"/>. Add <see cref="ErrorKeys.ModelNotFound"/> and/or <see cref="ErrorKeys.Authentication"/>
    /// when each link has its own model id and key, so one provider's missing model or rejected key is not everyone's.
    /// </summary>
    public IReadOnlySet<string> MoveOnFor
    {
        get => _moveOnFor;
        init => _moveOnFor = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Where the chain logs each link that failed and the one tried next, who answered, and a chain that ran out
    /// (<see cref="ProviderLog.FallbackCategory"/>). Default: the first link's session logger factory.
    /// </summary>
    public ILogger Logger
    {
        get => _logger ??= Links[0].LoggerFactory.CreateLogger(ProviderLog.FallbackCategory);
        init => _logger = value;
    }

    private ILogger? _logger;

    public async Task<FallbackResult> CompleteAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var conversation = messages.ToList();
        var steps = new List<FallbackStep>();
        for (var i = 0; i < Links.Count; i++)
        {
            var link = Links[i];
            try
            {
                var result = await link.CompleteAsync(conversation, options, cancellationToken).ConfigureAwait(false);
                steps.Add(new FallbackStep(link.Provider.Id, link.Model, AttemptRecord.Success, null, result.Attempts.Count));
                if (i > 0) ProviderLog.FallbackAnswered(Logger, link.Provider.Id, link.Model, i);
                return new FallbackResult(result, steps);
            }
            catch (ProviderException error) when (MoveOnFor.Contains(error.ErrorKey))
            {
                steps.Add(new FallbackStep(link.Provider.Id, link.Model, error.ErrorKey, error.Message, error.Attempts.Count));
                if (i + 1 < Links.Count)
                    ProviderLog.FallbackMovingOn(Logger, link.Provider.Id, link.Model, error.ErrorKey, Links[i + 1].Provider.Id, Links[i + 1].Model);
            }
            catch (ProviderException error)
            {
                ProviderLog.FallbackStopped(Logger, link.Provider.Id, link.Model, error.ErrorKey);
                throw;
            }
        }
        ProviderLog.FallbackExhausted(Logger, string.Join("; ", steps.Select(s => $"{s.ProviderId}/{s.Model}: {s.Outcome}")));
        throw new ProviderFallbackException(steps);
    }
}

/// <summary>Every provider of a fallback chain failed.</summary>
public sealed class ProviderFallbackException(IReadOnlyList<FallbackStep> steps)
    : ProviderException(steps[^1].Outcome,
        "Every provider in the fallback chain failed: " + string.Join("; ", steps.Select(s => $"{s.ProviderId}/{s.Model}: {s.Outcome}")) + ".")
{
    public IReadOnlyList<FallbackStep> Steps { get; } = steps;
}
