namespace ProviderSpecs.Simulators;

/// <summary>
/// The rate-limit windows a simulator can enforce. Groq counts requests and tokens per minute and per day; Together
/// counts requests and tokens per second. Short names (<c>rpm</c>, <c>tps</c>, …) are the ones of the CLI flags, the
/// control endpoint and the catalog fixtures' <c>freePlan</c> blocks.
/// </summary>
public enum RateLimitWindow
{
    RequestsPerMinute,
    RequestsPerDay,
    TokensPerMinute,
    TokensPerDay,
    RequestsPerSecond,
    TokensPerSecond,
}

/// <summary>Names, periods and owners of the <see cref="RateLimitWindow"/>s.</summary>
public static class RateLimitWindows
{
    /// <summary>The windows of one provider, in the order they are checked and reported.</summary>
    public static IReadOnlyList<RateLimitWindow> Of(string providerId) => providerId == ProviderIds.TogetherAi
        ? [RateLimitWindow.RequestsPerSecond, RateLimitWindow.TokensPerSecond]
        : [RateLimitWindow.RequestsPerMinute, RateLimitWindow.RequestsPerDay, RateLimitWindow.TokensPerMinute, RateLimitWindow.TokensPerDay];

    public static TimeSpan Period(RateLimitWindow window) => window switch
    {
        RateLimitWindow.RequestsPerSecond or RateLimitWindow.TokensPerSecond => TimeSpan.FromSeconds(1),
        RateLimitWindow.RequestsPerMinute or RateLimitWindow.TokensPerMinute => TimeSpan.FromMinutes(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>True for token windows (a request counts its tokens), false for request windows (a request counts 1).</summary>
    public static bool CountsTokens(RateLimitWindow window) =>
        window is RateLimitWindow.TokensPerMinute or RateLimitWindow.TokensPerDay or RateLimitWindow.TokensPerSecond;

    /// <summary><c>rpm</c>, <c>rpd</c>, <c>tpm</c>, <c>tpd</c>, <c>rps</c>, <c>tps</c>.</summary>
    public static string ShortName(RateLimitWindow window) => window switch
    {
        RateLimitWindow.RequestsPerMinute => "rpm",
        RateLimitWindow.RequestsPerDay => "rpd",
        RateLimitWindow.TokensPerMinute => "tpm",
        RateLimitWindow.TokensPerDay => "tpd",
        RateLimitWindow.RequestsPerSecond => "rps",
        _ => "tps",
    };

    /// <summary>How the window is named in prose and in Groq's 429 message, e.g. <c>requests per minute (RPM)</c>.</summary>
    public static string Describe(RateLimitWindow window) => window switch
    {
        RateLimitWindow.RequestsPerMinute => "requests per minute (RPM)",
        RateLimitWindow.RequestsPerDay => "requests per day (RPD)",
        RateLimitWindow.TokensPerMinute => "tokens per minute (TPM)",
        RateLimitWindow.TokensPerDay => "tokens per day (TPD)",
        RateLimitWindow.RequestsPerSecond => "requests per second (RPS)",
        _ => "tokens per second (TPS)",
    };

    public static bool TryParse(string shortName, out RateLimitWindow window)
    {
        foreach (var candidate in Enum.GetValues<RateLimitWindow>())
            if (string.Equals(ShortName(candidate), shortName, StringComparison.OrdinalIgnoreCase))
            {
                window = candidate;
                return true;
            }
        window = default;
        return false;
    }

    /// <summary><c>none</c> or <c>free-plan</c>.</summary>
    public static string PlanName(RateLimitPlan plan) => plan == RateLimitPlan.FreePlan ? "free-plan" : "none";

    public static bool TryParsePlan(string? name, out RateLimitPlan plan)
    {
        plan = RateLimitPlan.None;
        switch (name?.Trim().ToLowerInvariant())
        {
            case "none":
                return true;
            case "free-plan":
                plan = RateLimitPlan.FreePlan;
                return true;
            default:
                return false;
        }
    }
}


/// <summary>
/// One limit's exact sliding-window log: every accepted amount with the time it was accepted. A new amount is accepted
/// only when the amounts of the last <c>period</c> plus it stay within the limit, so no rolling period (half-open,
/// <c>[t, t + period)</c>) ever holds more than the limit — unlike fixed windows, which allow twice the limit across
/// a boundary, or token buckets, which the providers' "Used N" messages do not describe. Not thread-safe: the
/// <see cref="ModelRateLimiter"/> that owns it locks.
/// </summary>
internal sealed class SlidingWindowLog(long periodTicks)
{
    private readonly Queue<Entry> _entries = new();
    private long _newestAt;

    /// <summary>The amount accepted within the period that ended at the last <see cref="Expire"/>.</summary>
    public long Used { get; private set; }

    public long PeriodTicks { get; } = periodTicks;

    /// <summary>Drops the amounts accepted a full period or more before <paramref name="now"/>.</summary>
    public void Expire(long now)
    {
        while (_entries.TryPeek(out var oldest) && now - oldest.At >= PeriodTicks)
        {
            _entries.Dequeue();
            Used -= oldest.Amount;
            oldest.Expired = true;
        }
    }

    /// <summary>
    /// Ticks from <paramref name="now"/> until <paramref name="amount"/> more fits under <paramref name="limit"/>: 0 when it
    /// fits now, -1 when it never can (more than the limit on its own). Call <see cref="Expire"/> first.
    /// </summary>
    public long TicksUntilRoom(long now, long amount, long limit)
    {
        if (amount > limit) return -1;
        var excess = Used + amount - limit;
        if (excess <= 0) return 0;
        foreach (var entry in _entries)
        {
            excess -= entry.Amount;
            if (excess <= 0) return entry.At + PeriodTicks - now;
        }
        return 0; // not reached: with amount <= limit, dropping every entry leaves room
    }

    /// <summary>Ticks until every accepted amount has left the window (the limit is whole again).</summary>
    public long TicksUntilEmpty(long now) => _entries.Count == 0 ? 0 : Math.Max(0, _newestAt + PeriodTicks - now);

    public Entry Add(long now, long amount)
    {
        var entry = new Entry { At = now, Amount = amount };
        _entries.Enqueue(entry);
        _newestAt = now;
        Used += amount;
        return entry;
    }

    /// <summary>Lowers an accepted amount (tokens reserved at admission, corrected to what was served); never raises it.</summary>
    public void Settle(Entry entry, long amount)
    {
        if (entry.Expired || amount >= entry.Amount) return;
        Used -= entry.Amount - Math.Max(0, amount);
        entry.Amount = Math.Max(0, amount);
    }

    public sealed class Entry
    {
        public long At { get; init; }
        public long Amount { get; set; }
        public bool Expired { get; set; }
    }
}

/// <summary>One window's state as a response reports it.</summary>
internal readonly record struct WindowState(RateLimitWindow Window, long Limit, long Used, TimeSpan UntilEmpty, TimeSpan UntilRoom)
{
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>The state of one window among those enforced; null when that window is not enforced.</summary>
    public static WindowState? Find(IReadOnlyList<WindowState> state, RateLimitWindow window)
    {
        foreach (var candidate in state)
            if (candidate.Window == window) return candidate;
        return null;
    }
}

/// <summary>Why a request was refused: the window, its numbers, and the exact wait until it would be accepted (null: never, it is larger than the limit).</summary>
internal sealed record RateLimitRefusal(RateLimitWindow Window, long Limit, long Used, long Requested, TimeSpan? Wait);

/// <summary>The outcome of one admission: the windows' state afterwards and, when refused, why.</summary>
internal sealed record RateLimitDecision(IReadOnlyList<WindowState> State, RateLimitRefusal? Refusal, RateLimitTicket? Ticket, DateTimeOffset At);

/// <summary>The token entries of an admitted request, so its reservation can be corrected to what was served.</summary>
internal sealed class RateLimitTicket(ModelRateLimiter owner, IReadOnlyList<SlidingWindowLog.Entry> tokenEntries, IReadOnlyList<SlidingWindowLog> tokenLogs)
{
    public void Settle(int tokens) => owner.Settle(tokenEntries, tokenLogs, tokens);
}

/// <summary>The windows of one (account, model): admission is atomic across all of them.</summary>
internal sealed class ModelRateLimiter(SimulatorClock clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<RateLimitWindow, SlidingWindowLog> _logs = [];

    /// <summary>
    /// Admits a request of <paramref name="tokens"/> tokens when every enforced window has room, recording it in each; otherwise
    /// records nothing and names the window that needs the longest wait (a window it can never fit in first).
    /// </summary>
    public RateLimitDecision Admit(IReadOnlyList<(RateLimitWindow Window, int Limit)> limits, int tokens)
    {
        lock (_lock)
        {
            var now = clock.Timestamp();
            RateLimitRefusal? refusal = null;
            var longest = -1L;
            foreach (var (window, limit) in limits)
            {
                var log = Log(window);
                log.Expire(now);
                var amount = Amount(window, tokens);
                var ticks = log.TicksUntilRoom(now, amount, limit);
                if (ticks == 0) continue;
                if (ticks < 0)
                {
                    refusal = new RateLimitRefusal(window, limit, log.Used, amount, null);
                    break;
                }
                if (ticks > longest)
                {
                    longest = ticks;
                    refusal = new RateLimitRefusal(window, limit, log.Used, amount, Elapsed(ticks));
                }
            }

            RateLimitTicket? ticket = null;
            if (refusal is null)
            {
                var entries = new List<SlidingWindowLog.Entry>();
                var tokenLogs = new List<SlidingWindowLog>();
                foreach (var (window, _) in limits)
                {
                    var entry = Log(window).Add(now, Amount(window, tokens));
                    if (!RateLimitWindows.CountsTokens(window)) continue;
                    entries.Add(entry);
                    tokenLogs.Add(Log(window));
                }
                ticket = new RateLimitTicket(this, entries, tokenLogs);
            }
            return new RateLimitDecision(StateOf(limits, now), refusal, ticket, clock.UtcAt(now));
        }
    }

    /// <summary>The windows' state without admitting anything (responses that are not chat completions).</summary>
    public IReadOnlyList<WindowState> Peek(IReadOnlyList<(RateLimitWindow Window, int Limit)> limits)
    {
        lock (_lock)
        {
            var now = clock.Timestamp();
            foreach (var (window, _) in limits) Log(window).Expire(now);
            return StateOf(limits, now);
        }
    }

    internal void Settle(IReadOnlyList<SlidingWindowLog.Entry> entries, IReadOnlyList<SlidingWindowLog> logs, int tokens)
    {
        lock (_lock)
            for (var i = 0; i < entries.Count; i++)
                logs[i].Settle(entries[i], Math.Max(1, tokens));
    }

    private List<WindowState> StateOf(IReadOnlyList<(RateLimitWindow Window, int Limit)> limits, long now) =>
        limits.Select(l =>
        {
            var log = Log(l.Window);
            var untilRoom = log.TicksUntilRoom(now, 1, l.Limit);
            return new WindowState(l.Window, l.Limit, log.Used, Elapsed(log.TicksUntilEmpty(now)), Elapsed(Math.Max(0, untilRoom)));
        }).ToList();

    // A request counts 1 in request windows and its tokens (at least 1, so every request is an entry) in token windows.
    private static long Amount(RateLimitWindow window, int tokens) => RateLimitWindows.CountsTokens(window) ? Math.Max(1, tokens) : 1;

    private SlidingWindowLog Log(RateLimitWindow window)
    {
        if (!_logs.TryGetValue(window, out var log))
            _logs[window] = log = new SlidingWindowLog(clock.TicksPer(RateLimitWindows.Period(window)));
        return log;
    }

    private TimeSpan Elapsed(long ticks) => clock.Span(ticks);
}

/// <summary>The rate-limit windows of one account (a scope's key), per model. Created on first use; cleared by a reset.</summary>
internal sealed class RateLimitAccount(SimulatorClock clock)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelRateLimiter> _models = new(StringComparer.Ordinal);

    public ModelRateLimiter For(string model) => _models.GetOrAdd(model, _ => new ModelRateLimiter(clock));

    public void Clear() => _models.Clear();
}
