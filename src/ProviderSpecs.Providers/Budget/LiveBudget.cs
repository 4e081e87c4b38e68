using System.Globalization;

namespace ProviderSpecs.Providers.Budget;

/// <summary>
/// The most a live run may spend: requests and tokens, from SPECS_LIVE_MAX_REQUESTS and SPECS_LIVE_MAX_TOKENS.
/// Reservations are atomic, so workers racing for the last allowed request never overspend.
/// </summary>
public sealed class LiveBudget
{
    public const string MaxRequestsVariable = "SPECS_LIVE_MAX_REQUESTS";
    public const string MaxTokensVariable = "SPECS_LIVE_MAX_TOKENS";
    public const int DefaultMaxRequests = 200;
    public const long DefaultMaxTokens = 50_000;

    private long _requests;
    private long _tokens;
    private long _refused;

    public LiveBudget(long maxRequests, long maxTokens)
    {
        if (maxRequests <= 0) throw new ArgumentOutOfRangeException(nameof(maxRequests), maxRequests, $"A live budget needs at least one request; set {MaxRequestsVariable} to a positive number.");
        if (maxTokens <= 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"A live budget needs at least one token; set {MaxTokensVariable} to a positive number.");
        MaxRequests = maxRequests;
        MaxTokens = maxTokens;
    }

    /// <summary>A shared budget that never refuses (no live target).</summary>
    public static LiveBudget Unlimited { get; } = new(long.MaxValue, long.MaxValue);

    /// <summary>A budget of its own that never refuses: it only counts (and meters) what is reserved.</summary>
    public static LiveBudget Counting() => new(long.MaxValue, long.MaxValue);

    public bool IsUnlimited => MaxRequests == long.MaxValue && MaxTokens == long.MaxValue;

    public long MaxRequests { get; }
    public long MaxTokens { get; }
    public long RequestsSpent => Interlocked.Read(ref _requests);
    public long TokensSpent => Interlocked.Read(ref _tokens);

    /// <summary>Requests refused because the budget could not cover them (nothing was sent for them).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>A budget of requests only (tokens unlimited), as `bench --live --max-requests N` sets it.</summary>
    public static LiveBudget OfRequests(long maxRequests) => new(maxRequests, long.MaxValue);

    public static LiveBudget FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return new LiveBudget(Parse(getVariable(MaxRequestsVariable), DefaultMaxRequests, MaxRequestsVariable),
            Parse(getVariable(MaxTokensVariable), DefaultMaxTokens, MaxTokensVariable));
    }

    private static long Parse(string? value, long fallback, string variable) =>
        string.IsNullOrWhiteSpace(value) ? fallback
        : long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed
        : throw new ArgumentException($"{variable}='{value}' is not a positive whole number of {(variable == MaxTokensVariable ? "tokens" : "requests")}.");

    /// <summary>Reserves one request and up to <paramref name="maxTokens"/> tokens; false when that would exceed the budget.</summary>
    public bool TryReserve(long maxTokens)
    {
        while (true)
        {
            var requests = Interlocked.Read(ref _requests);
            if (requests >= MaxRequests)
            {
                Refuse();
                return false;
            }
            if (Interlocked.CompareExchange(ref _requests, requests + 1, requests) != requests) continue;
            while (true)
            {
                var tokens = Interlocked.Read(ref _tokens);
                if (maxTokens > MaxTokens - tokens)
                {
                    Interlocked.Decrement(ref _requests);
                    Refuse();
                    return false;
                }
                if (Interlocked.CompareExchange(ref _tokens, tokens + maxTokens, tokens) == tokens)
                {
                    SpendMeter.Current?.Add(maxTokens);
                    return true;
                }
            }
        }
    }

    private void Refuse()
    {
        Interlocked.Increment(ref _refused);
        SpendMeter.Current?.AddRefusal();
    }

    /// <summary>True once the budget has refused a request: what is left cannot cover the run's next requests.</summary>
    public bool Exhausted => Refused > 0;

    /// <summary>Gives back the part of a reservation that was not used.</summary>
    public void Refund(long unusedTokens)
    {
        if (unusedTokens > 0) Interlocked.Add(ref _tokens, -unusedTokens);
    }

    public override string ToString() => IsUnlimited
        ? "no live budget (simulated target)"
        : $"{RequestsSpent}/{MaxRequests} requests, {(MaxTokens == long.MaxValue ? $"{TokensSpent} tokens" : $"{TokensSpent}/{MaxTokens} tokens")}, {Refused} refused";
}
