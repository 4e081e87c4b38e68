using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Providers.Resilience;

/// <summary>
/// The per-provider Polly pipeline (retry with jittered exponential backoff that honours Retry-After and reset
/// headers) plus the provider's concurrency limiter. Shared by every chat client of one provider session.
/// </summary>
public sealed class ProviderResilience : IAsyncDisposable
{
    private static readonly ResiliencePropertyKey<List<AttemptRecord>> AttemptsKey = new("providerspecs.attempts");
    private static readonly ResiliencePropertyKey<CallIdentity> CallKey = new("providerspecs.call");
    private readonly ResiliencePipeline _retry;
    private readonly ConcurrencyLimiter _limiter;

    /// <param name="logger">Where each retry is logged (<see cref="Logging.ProviderLog.ChatCategory"/>); none by default.</param>
    public ProviderResilience(ResilienceOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        var log = logger ?? NullLogger.Instance;
        options.Validate();
        Options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrency, QueueLimit = options.MaxQueuedCalls,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var builder = new ResiliencePipelineBuilder { TimeProvider = TimeProvider };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxBackoff,
                // A refusal by our own concurrency limiter (queue full) is not retried: waiting would only add load.
                ShouldHandle = new PredicateBuilder().Handle<ProviderException>(e => e is not ConcurrencyLimitException && options.ShouldRetry(e)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is ProviderException { RateLimit.SuggestedDelay: { } wait } ? (TimeSpan?)wait : null),
                OnRetry = args =>
                {
                    var error = (ProviderException)args.Outcome.Exception!;
                    var attempts = args.Context.Properties.GetValue(AttemptsKey, []);
                    attempts.Add(new AttemptRecord(attempts.Count + 1, error.ErrorKey, error.HttpStatus, args.RetryDelay, error.ProviderMessage ?? error.Message));
                    var call = args.Context.Properties.GetValue(CallKey, CallIdentity.Unknown);
                    Logging.ProviderLog.Retrying(log, call.Provider, call.Model, attempts.Count, options.MaxRetries + 1, error.ErrorKey, error.HttpStatus,
                        args.RetryDelay.TotalMilliseconds, Logging.ProviderLog.Redact(error.ProviderMessage ?? error.Message, call.Key));
                    return ValueTask.CompletedTask;
                },
            });
        }
        _retry = builder.Build();
    }

    public ResilienceOptions Options { get; }
    public TimeProvider TimeProvider { get; }

    /// <summary>Runs <paramref name="attempt"/> with retries; every attempt (failed or not) is appended to <paramref name="attempts"/>.</summary>
    internal async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> attempt, List<AttemptRecord> attempts, CancellationToken cancellationToken,
        CallIdentity? call = null)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(AttemptsKey, attempts);
        if (call is not null) context.Properties.Set(CallKey, call);
        try
        {
            var result = await _retry.ExecuteAsync(static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false), context, attempt)
                .ConfigureAwait(false);
            attempts.Add(new AttemptRecord(attempts.Count + 1, AttemptRecord.Success, 200, null, null));
            return result;
        }
        catch (ProviderException error)
        {
            var retriesLeft = attempts.Count < Options.MaxRetries;
            attempts.Add(new AttemptRecord(attempts.Count + 1, error.ErrorKey, error.HttpStatus, null, error.ProviderMessage ?? error.Message));
            if (retriesLeft && ExceedsRetryAfterCap(error, out var wait))
            {
                error = error.WithMessageSuffix(
                    $" Not retried: the provider asked to retry after {Describe(wait)}, longer than the configured cap of {Describe(Options.MaxRetryAfter)}; "
                    + "raise ResilienceOptions.MaxRetryAfter to wait.");
                error.Attempts = attempts;
                throw error;
            }
            error.Attempts = attempts;
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Whether the error would have been retried but for a Retry-After/reset wait above <see cref="ResilienceOptions.MaxRetryAfter"/>.</summary>
    private bool ExceedsRetryAfterCap(ProviderException error, out TimeSpan wait)
    {
        wait = error.RateLimit?.SuggestedDelay ?? TimeSpan.Zero;
        return error is not ConcurrencyLimitException && Options.RetriesKeyOf(error) && wait > Options.MaxRetryAfter;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.###} s" : $"{span.TotalMinutes:0.#} min";

    /// <summary>
    /// A concurrency permit for one attempt (for a stream: from opening it to its end). Taken per attempt, so a call
    /// waiting out a Retry-After holds no permit and does not block other callers.
    /// </summary>
    internal async ValueTask<RateLimitLease> AcquireAsync(string providerId, CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new ConcurrencyLimitException(ErrorKeys.Overloaded,
            $"Client-side concurrency limit for {providerId} reached ({Options.MaxConcurrency} in flight, {Options.MaxQueuedCalls} queued); raise ResilienceOptions.MaxConcurrency or send fewer calls.")
        {
            ProviderId = providerId,
        };
    }

    /// <summary>Permits free right now (for tests and diagnostics).</summary>
    internal long AvailablePermits => _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>A deadline of <paramref name="delay"/> on this pipeline's clock, also cancelled by the given tokens.</summary>
    internal Deadline StartDeadline(TimeSpan delay, CancellationToken first, CancellationToken second = default) =>
        new(delay, TimeProvider, first, second);

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}

/// <summary>Which provider and model a call is for (for logs), and the key to keep out of them.</summary>
internal sealed record CallIdentity(string Provider, string Model, string? Key)
{
    public static readonly CallIdentity Unknown = new("?", "?", null);
}

/// <summary>Our own client-side limiter refused the call (not the provider): never retried.</summary>
internal sealed class ConcurrencyLimitException(string errorKey, string message) : ProviderException(errorKey, message);

/// <summary>
/// A timeout driven by the session's <see cref="System.TimeProvider"/> (so a fake clock can fire it), linked to the
/// caller's tokens. <see cref="Token"/> is cancelled by whichever comes first.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public Deadline(TimeSpan delay, TimeProvider timeProvider, CancellationToken first, CancellationToken second)
    {
        _timer = new CancellationTokenSource(delay, timeProvider);
        _linked = second.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(first, second, _timer.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(first, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;
    /// <summary>Whether this deadline itself fired (rather than a linked token).</summary>
    public bool Expired => _timer.IsCancellationRequested;
    /// <summary>Stops the clock (e.g. the first chunk arrived in time).</summary>
    public void Disarm() => _timer.CancelAfter(Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
