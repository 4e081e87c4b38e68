using System.Threading.RateLimiting;
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
    private readonly ResiliencePipeline _retry;
    private readonly ConcurrencyLimiter _limiter;

    public ProviderResilience(ResilienceOptions options, TimeProvider? timeProvider = null)
    {
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
                ShouldHandle = new PredicateBuilder().Handle<ProviderException>(options.ShouldRetry),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is ProviderException { RateLimit.SuggestedDelay: { } wait } ? (TimeSpan?)wait : null),
                OnRetry = args =>
                {
                    var error = (ProviderException)args.Outcome.Exception!;
                    var attempts = args.Context.Properties.GetValue(AttemptsKey, []);
                    attempts.Add(new AttemptRecord(attempts.Count + 1, error.ErrorKey, error.HttpStatus, args.RetryDelay, error.ProviderMessage ?? error.Message));
                    return ValueTask.CompletedTask;
                },
            });
        }
        _retry = builder.Build();
    }

    public ResilienceOptions Options { get; }
    public TimeProvider TimeProvider { get; }

    /// <summary>Runs <paramref name="attempt"/> with retries; every attempt (failed or not) is appended to <paramref name="attempts"/>.</summary>
    internal async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> attempt, List<AttemptRecord> attempts, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(AttemptsKey, attempts);
        try
        {
            var result = await _retry.ExecuteAsync(static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false), context, attempt)
                .ConfigureAwait(false);
            attempts.Add(new AttemptRecord(attempts.Count + 1, AttemptRecord.Success, 200, null, null));
            return result;
        }
        catch (ProviderException error)
        {
            attempts.Add(new AttemptRecord(attempts.Count + 1, error.ErrorKey, error.HttpStatus, null, error.ProviderMessage ?? error.Message));
            error.Attempts = attempts;
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A concurrency permit for one whole call (all its attempts, and the full stream).</summary>
    internal async ValueTask<RateLimitLease> AcquireAsync(string providerId, CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new ProviderException(ErrorKeys.Overloaded,
            $"Client-side concurrency limit for {providerId} reached ({Options.MaxConcurrency} in flight, {Options.MaxQueuedCalls} queued); raise ResilienceOptions.MaxConcurrency or send fewer calls.")
        {
            ProviderId = providerId,
        };
    }

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
