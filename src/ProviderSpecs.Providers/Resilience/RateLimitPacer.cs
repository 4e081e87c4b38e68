using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Resilience;

/// <summary>A limit a provider announced for one model: what it counts, how many per period, and where it was read.</summary>
public sealed record ObservedLimit(string Provider, string Model, string Counts, long Limit, TimeSpan Period, string Source, DateTimeOffset SeenAt)
{
    /// <summary>"30 requests per minute", "6,000 tokens per minute", "1 request per second".</summary>
    public string Rate => string.Create(CultureInfo.InvariantCulture, $"{Limit:N0} {(Limit == 1 ? Counts.TrimEnd('s') : Counts)} per {PeriodName(Period)}");

    public override string ToString() => $"{Rate} ({Source})";

    internal static string PeriodName(TimeSpan period) =>
        period == TimeSpan.FromSeconds(1) ? "second" : period == TimeSpan.FromMinutes(1) ? "minute" : period == TimeSpan.FromDays(1) ? "day" : $"{period.TotalSeconds:0.#} s";
}

/// <summary>What the pacer did for one model so far: requests it held back, the longest hold, 429s it saw.</summary>
public sealed record PacingRecord(long Sent, long Held, TimeSpan LongestHold, TimeSpan TotalHeld, long RateLimited);

/// <summary>
/// Paces requests under the rate limits providers announce, one model at a time, so an account on a small plan completes
/// its work slower instead of meeting a storm of 429s. It learns the limits from what every response says: the
/// <c>x-ratelimit-*</c> / <c>x-tokenlimit-*</c> headers (Groq: requests per day and tokens per minute; Together AI: per
/// second; OpenAI: per minute), the window a 429's message names (Groq's "requests per minute (RPM): Limit 30"), and
/// <c>retry-after</c>, which holds every request to that model until it has passed. Before sending, a request waits
/// until each learned window has room for it (its tokens estimated from the prompt and its output limit), counting the
/// requests sent before the limit was known. Share one pacer between every session that uses the same account.
/// Each model's waiting is a <see cref="RateLimiter"/>, used through Polly's rate-limiter strategy.
/// </summary>
public sealed class RateLimitPacer
{
    private static readonly Regex WindowInMessage = new(
        @"on (?<counts>requests|tokens) per (?<period>minute|day|second) \((?<code>[A-Z]+)\): Limit (?<limit>\d+)",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private readonly ConcurrentDictionary<(string Provider, string Model), ModelPace> _models = new();

    public RateLimitPacer(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>The variable in which a live run declares the account's request limits the providers do not announce.</summary>
    public const string DeclaredLimitsVariable = "SPECS_LIVE_ACCOUNT_LIMITS";

    private readonly ConcurrentDictionary<string, (long Limit, TimeSpan Period)[]> _declared = new(StringComparer.Ordinal);

    /// <summary>
    /// Declares request limits the account has on every model of a provider, which the provider's responses do not announce
    /// (Groq's headers give requests per day, not per minute: its 30 a minute on the free plan is otherwise learned from the
    /// first 429). <paramref name="declaration"/> is a list like <c>groq:30/minute, together_ai:10/second</c> (periods second,
    /// minute, hour or day; the provider's id or an alias). A limit the provider states later (a 429's message, the headers)
    /// replaces the declared one of the same window. Throws an <see cref="ArgumentException"/> saying what is wrong.
    /// </summary>
    public void Declare(string declaration, ProviderRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        registry ??= ProviderRegistry.Default;
        var parsed = new Dictionary<string, List<(long, TimeSpan)>>(StringComparer.Ordinal);
        foreach (var entry in declaration.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = DeclaredLimit.Match(entry);
            if (!match.Success)
                throw new ArgumentException($"{DeclaredLimitsVariable}: '{entry}' is not a limit; give provider:requests/period, e.g. groq:30/minute or together_ai:10/second.");
            ProviderDefinition provider;
            try
            {
                provider = registry.Resolve(match.Groups["provider"].Value);
            }
            catch (UnknownProviderException e)
            {
                throw new ArgumentException($"{DeclaredLimitsVariable}: '{entry}' names no provider: {e.Message}", e);
            }
            var limit = long.Parse(match.Groups["limit"].Value, CultureInfo.InvariantCulture);
            if (limit < 1) throw new ArgumentException($"{DeclaredLimitsVariable}: '{entry}' allows no request; give a limit of at least 1, e.g. groq:30/minute.");
            var period = match.Groups["period"].Value.ToLowerInvariant() switch
            {
                "second" or "s" => TimeSpan.FromSeconds(1),
                "minute" or "min" or "m" => TimeSpan.FromMinutes(1),
                "hour" or "h" => TimeSpan.FromHours(1),
                _ => TimeSpan.FromDays(1),
            };
            if (!parsed.TryGetValue(provider.Id, out var windows)) parsed[provider.Id] = windows = [];
            windows.Add((limit, period));
        }
        var now = TimeProvider.GetUtcNow();
        foreach (var (provider, windows) in parsed)
        {
            _declared[provider] = [.. windows];
            foreach (var pace in _models.Where(m => m.Key.Provider == provider).Select(m => m.Value)) pace.Learn(Declared(windows), now);
        }
    }

    private static readonly Regex DeclaredLimit = new(@"^(?<provider>[A-Za-z0-9_.-]+)\s*:\s*(?<limit>\d{1,12})\s*/\s*(?<period>second|minute|hour|day|s|min|m|h|d)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static IEnumerable<(string Counts, long Limit, TimeSpan Period, string Source)> Declared(IEnumerable<(long Limit, TimeSpan Period)> windows) =>
        windows.Select(w => ("requests", w.Limit, w.Period, $"declared in {DeclaredLimitsVariable}"));

    public TimeProvider TimeProvider { get; }

    /// <summary>Every limit learned so far, newest reading per window.</summary>
    public IReadOnlyList<ObservedLimit> Limits => _models.Values.SelectMany(m => m.Limits).ToList();

    /// <summary>The limits learned (or declared) for one model.</summary>
    public IReadOnlyList<ObservedLimit> LimitsOf(string provider, string model) =>
        Known(provider, model)?.Limits ?? [];

    /// <summary>What the pacer did for one model (zeros when it has seen nothing of it).</summary>
    public PacingRecord RecordOf(string provider, string model) =>
        _models.TryGetValue((provider, model), out var pace) ? pace.Record : new PacingRecord(0, 0, TimeSpan.Zero, TimeSpan.Zero, 0);

    /// <summary>The most requests per minute the learned windows allow for the model, or null while none is known.</summary>
    public double? RequestsPerMinute(string provider, string model) =>
        LimitsOf(provider, model).Where(l => l.Counts == "requests").Select(l => l.Limit * (60.0 / l.Period.TotalSeconds)).DefaultIfEmpty().Min() is var rpm and > 0 ? rpm : null;

    /// <summary>"Groq llama-3.1-8b-instant: 30 requests per minute (from a 429), 6,000 tokens per minute (headers)".</summary>
    public string Describe(string provider, string model)
    {
        var limits = LimitsOf(provider, model);
        return limits.Count == 0 ? $"{provider} {model}: no limit announced yet" : $"{provider} {model}: {string.Join(", ", limits)}";
    }

    /// <summary>The model's pacing as a <see cref="RateLimiter"/>: a permit is one request; the permit count is its estimated tokens.</summary>
    public RateLimiter For(ProviderDefinition provider, string model) => Pace(provider.Id, model);

    /// <summary>
    /// How long until <paramref name="requests"/> more requests to the model fit every request window learned so far
    /// (and no 429 holds it); zero when they fit now. Token windows are not counted: a request's tokens are not known
    /// before it is built.
    /// </summary>
    public TimeSpan WaitForRoom(string provider, string model, int requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        return Known(provider, model)?.WaitForRoom(requests, TimeProvider.GetUtcNow()) ?? TimeSpan.Zero;
    }

    /// <summary>Reads what one response (or error) of the model says about its limits.</summary>
    public void Observe(ProviderDefinition provider, string model, int? status, Func<string, string?> header, string? errorMessage = null)
    {
        var pace = Pace(provider.Id, model);
        var now = TimeProvider.GetUtcNow();
        var info = RateLimitInfo.FromHeaders(header, provider.RateLimitDialect, now: now);
        if (info is not null) pace.Learn(HeaderWindows(provider, info), now);
        if (status == 429)
        {
            if (errorMessage is not null && WindowInMessage.Match(errorMessage) is { Success: true } match)
                pace.Learn([(match.Groups["counts"].Value, long.Parse(match.Groups["limit"].Value, CultureInfo.InvariantCulture),
                    Period(match.Groups["period"].Value), $"a 429's message: {match.Groups["code"].Value}")], now);
            pace.RateLimited(info?.SuggestedDelay ?? TimeSpan.FromSeconds(1), now);
        }
        else if (info is { RequestsRemaining: 0, RequestsReset: { } reset })
            pace.HoldFor(reset, now);
    }

    private static TimeSpan Period(string name) => name switch
    {
        "second" => TimeSpan.FromSeconds(1),
        "day" => TimeSpan.FromDays(1),
        _ => TimeSpan.FromMinutes(1),
    };

    // Which period each header counts over depends on the provider's dialect.
    private static IEnumerable<(string Counts, long Limit, TimeSpan Period, string Source)> HeaderWindows(ProviderDefinition provider, RateLimitInfo info)
    {
        var (requests, tokens) = provider.RateLimitDialect switch
        {
            RateLimitDialect.Groq => (TimeSpan.FromDays(1), TimeSpan.FromMinutes(1)),
            RateLimitDialect.Together => (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
            _ => (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)),
        };
        if (info.RequestsLimit is > 0 and var r) yield return ("requests", r, requests, "response headers");
        if (info.TokensLimit is > 0 and var t) yield return ("tokens", t, tokens, "response headers");
    }

    /// <summary>The model's pacing when anything is known of it: seen already, or its provider's limits declared; else null.</summary>
    private ModelPace? Known(string provider, string model) =>
        _models.TryGetValue((provider, model), out var pace) ? pace : _declared.ContainsKey(provider) ? Pace(provider, model) : null;

    private ModelPace Pace(string provider, string model) => _models.GetOrAdd((provider, model), key =>
    {
        var pace = new ModelPace(key.Provider, key.Model, TimeProvider);
        if (_declared.TryGetValue(key.Provider, out var windows)) pace.Learn(Declared(windows), TimeProvider.GetUtcNow());
        return pace;
    });

    /// <summary>One model's windows, the requests sent to it, and the hold a 429 put on it.</summary>
    private sealed class ModelPace(string provider, string model, TimeProvider time) : RateLimiter
    {
        // The longest window any provider announces; older sends never matter.
        private static readonly TimeSpan LongestPeriod = TimeSpan.FromDays(1);
        private readonly Lock _gate = new();
        private readonly Dictionary<(string Counts, TimeSpan Period), ObservedLimit> _limits = [];
        private readonly LinkedList<(DateTimeOffset At, long Tokens)> _sent = new();
        private DateTimeOffset _heldUntil = DateTimeOffset.MinValue;
        private long _sentCount, _held, _rateLimited, _totalHeldTicks, _longestHoldTicks;

        public IReadOnlyList<ObservedLimit> Limits
        {
            get { lock (_gate) return _limits.Values.OrderBy(l => l.Period).ThenBy(l => l.Counts).ToList(); }
        }

        public PacingRecord Record
        {
            get
            {
                lock (_gate)
                    return new PacingRecord(_sentCount, _held, TimeSpan.FromTicks(_longestHoldTicks), TimeSpan.FromTicks(_totalHeldTicks), _rateLimited);
            }
        }

        public void Learn(IEnumerable<(string Counts, long Limit, TimeSpan Period, string Source)> windows, DateTimeOffset now)
        {
            lock (_gate)
                foreach (var (counts, limit, period, source) in windows)
                    _limits[(counts, period)] = new ObservedLimit(provider, model, counts, limit, period, source, now);
        }

        public void RateLimited(TimeSpan wait, DateTimeOffset now)
        {
            lock (_gate)
            {
                _rateLimited++;
                if (now + wait > _heldUntil) _heldUntil = now + wait;
            }
        }

        public void HoldFor(TimeSpan wait, DateTimeOffset now)
        {
            lock (_gate)
                if (now + wait > _heldUntil) _heldUntil = now + wait;
        }

        public TimeSpan WaitForRoom(long requests, DateTimeOffset now)
        {
            lock (_gate)
            {
                var ready = _heldUntil > now ? _heldUntil : now;
                foreach (var limit in _limits.Values.Where(l => l.Counts == "requests" && requests <= l.Limit))
                    if (RoomAt(limit, requests, now) is var free && free > ready) ready = free;
                return ready - now;
            }
        }

        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            lock (_gate) return TryTake(permitCount, time.GetUtcNow(), out _) ? Granted.Lease : Refused.Lease;
        }

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            var started = time.GetUtcNow();
            var waitedOnce = false;
            while (true)
            {
                DateTimeOffset next;
                var now = time.GetUtcNow();
                lock (_gate)
                {
                    if (TryTake(permitCount, now, out next))
                    {
                        var waited = now - started;
                        if (waitedOnce)
                        {
                            _held++;
                            _totalHeldTicks += waited.Ticks;
                            _longestHoldTicks = Math.Max(_longestHoldTicks, waited.Ticks);
                        }
                        return Granted.Lease;
                    }
                }
                waitedOnce = true;
                await Task.Delay(next - now, time, cancellationToken).ConfigureAwait(false);
            }
        }

        // Under the gate: sends now if every window has room (and no 429 holds the model), else says when to look again.
        private bool TryTake(long tokens, DateTimeOffset now, out DateTimeOffset next)
        {
            while (_sent.First is { } oldest && oldest.Value.At <= now - LongestPeriod - TimeSpan.FromSeconds(2)) _sent.RemoveFirst();
            next = _heldUntil > now ? _heldUntil : now;
            foreach (var limit in _limits.Values)
            {
                var need = limit.Counts == "requests" ? 1 : tokens;
                // A single request larger than a whole token window can never fit: let it go and let the provider answer.
                if (need > limit.Limit) continue;
                if (RoomAt(limit, need, now) is var free && free > next) next = free;
            }
            if (next > now) return false;
            _sent.AddLast((now, tokens));
            _sentCount++;
            return true;
        }

        /// <summary>Under the gate: when <paramref name="need"/> more units (requests or tokens) fit the window; <paramref name="now"/> if they fit now.</summary>
        private DateTimeOffset RoomAt(ObservedLimit limit, long need, DateTimeOffset now)
        {
            // The provider counts a request when it arrives, a little after it leaves here: a margin keeps a request
            // paced to the edge of a window from landing inside it on the provider's clock.
            var period = limit.Period + Margin(limit.Period);
            var since = now - period;
            var requests = limit.Counts == "requests";
            long used = 0;
            for (var node = _sent.Last; node is not null && node.Value.At > since; node = node.Previous)
                used += requests ? 1 : node.Value.Tokens;
            if (used + need <= limit.Limit) return now;
            // Room comes when enough of the oldest sends in the window have left it.
            var excess = used + need - limit.Limit;
            for (var node = _sent.First; node is not null; node = node.Next)
            {
                if (node.Value.At <= since) continue;
                excess -= requests ? 1 : node.Value.Tokens;
                if (excess <= 0) return node.Value.At + period;
            }
            return now; // need exceeds the whole window: callers skip such a limit
        }

        // 2 % of the window, at least 100 ms (a busy client can take that long from here to the wire) and at most 2 s.
        private static TimeSpan Margin(TimeSpan period) =>
            TimeSpan.FromMilliseconds(Math.Clamp(period.TotalMilliseconds * 0.02, 100, 2000));

        private sealed class Granted : RateLimitLease
        {
            public static readonly Granted Lease = new();
            public override bool IsAcquired => true;
            public override IEnumerable<string> MetadataNames => [];
            public override bool TryGetMetadata(string metadataName, out object? metadata) { metadata = null; return false; }
        }

        private sealed class Refused : RateLimitLease
        {
            public static readonly Refused Lease = new();
            public override bool IsAcquired => false;
            public override IEnumerable<string> MetadataNames => [];
            public override bool TryGetMetadata(string metadataName, out object? metadata) { metadata = null; return false; }
        }
    }
}
