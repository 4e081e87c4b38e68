using System.Globalization;
using System.Text.RegularExpressions;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Budgets;

/// <summary>A latency metric a budget can constrain.</summary>
public enum Metric { Ttft, Tpot, InterTokenLatency, EndToEnd, QueueTime, RateLimitRecovery }

/// <summary>A run-level rate a budget can constrain.</summary>
public enum ThroughputMetric { RequestsPerSecond, OutputTokensPerSecond }

/// <summary>How a measured value is compared with the limit.</summary>
public enum Comparison { LessThan, AtMost, GreaterThan, AtLeast }

/// <summary>What a budget found: met, missed, or not measured (too few successful samples to say either).</summary>
public enum BudgetOutcome { Met, Missed, NotMeasured }

/// <summary>The verdict of one budget on one measured result. <see cref="Measured"/> is null when not measured.</summary>
public sealed record BudgetVerdict(Budget Budget, BudgetOutcome Outcome, double? Measured, string Unit, string Explanation)
{
    /// <summary>True only when the budget was met on enough samples; a not-measured budget is neither met nor missed.</summary>
    public bool Passed => Outcome == BudgetOutcome.Met;
    public bool Missed => Outcome == BudgetOutcome.Missed;
    public bool NotMeasured => Outcome == BudgetOutcome.NotMeasured;

    public override string ToString() => Explanation;
}

/// <summary>
/// A performance budget evaluated on a measured result, e.g. <c>Budget.Parse("p95 ttft &lt; 500 ms")</c> or
/// <c>Budget.Parse("output tokens/s ≥ 100")</c>.
/// </summary>
public abstract record Budget
{
    public abstract BudgetVerdict Evaluate(ScenarioResult result);

    /// <summary>
    /// The fewest successful samples the budget means something on (see <see cref="PercentileNames.MinimumSamples"/>:
    /// P50 3, P90 10, P95 20, P99 100, P99.9 1,000, mean/min/max 1; a throughput budget 1). With fewer, the verdict is
    /// <see cref="BudgetOutcome.NotMeasured"/>.
    /// </summary>
    public abstract int MinimumSamples { get; }

    private const string Grammar =
        "write '<statistic> <metric> <op> <number> <ms|s>' (e.g. 'p95 ttft < 500 ms') or '<requests/s|output tokens/s> <op> <number>' (e.g. 'output tokens/s >= 100'); " +
        "statistic: p50 p90 p95 p99 p99.9 mean max; metric: ttft tpot itl e2e queue recovery; op: < <= > >= ≤ ≥";

    private static readonly Regex LatencyPattern = new(
        @"^\s*(?<stat>p50|p90|p95|p99\.9|p999|p99|median|mean|avg|max|min)\s+(?<metric>ttft|time to first token|tpot|itl|inter-token latency|e2e|end-to-end|latency|queue time|queue|recovery|rate-limit recovery)\s*(?<op><=|>=|<|>|≤|≥)\s*(?<value>\d+(\.\d+)?)\s*(?<unit>ms|s)\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex ThroughputPattern = new(
        @"^\s*(?<metric>requests/s|req/s|rps|output tokens/s|tokens/s|tok/s)\s*(?<op><=|>=|<|>|≤|≥)\s*(?<value>\d+(\.\d+)?)\s*(?<unit>req/s|tok/s|tokens/s|requests/s)?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Parses a budget; throws <see cref="FormatException"/> saying what was wrong and the accepted form.</summary>
    public static Budget Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new FormatException($"The budget is empty: {Grammar}.");
        var latency = LatencyPattern.Match(text);
        if (latency.Success)
        {
            var value = double.Parse(latency.Groups["value"].Value, CultureInfo.InvariantCulture);
            var limit = latency.Groups["unit"].Value.Equals("s", StringComparison.OrdinalIgnoreCase)
                ? TimeSpan.FromSeconds(value) : TimeSpan.FromMilliseconds(value);
            return new LatencyBudget(ParseMetric(latency.Groups["metric"].Value), ParseStatistic(latency.Groups["stat"].Value), limit, ParseOp(latency.Groups["op"].Value));
        }
        var throughput = ThroughputPattern.Match(text);
        if (throughput.Success)
        {
            var metric = throughput.Groups["metric"].Value.ToLowerInvariant() is "requests/s" or "req/s" or "rps"
                ? ThroughputMetric.RequestsPerSecond : ThroughputMetric.OutputTokensPerSecond;
            return new ThroughputBudget(metric, double.Parse(throughput.Groups["value"].Value, CultureInfo.InvariantCulture), ParseOp(throughput.Groups["op"].Value));
        }
        throw new FormatException($"Cannot read the budget '{text}': {Grammar}.");
    }

    private static Comparison ParseOp(string op) => op switch
    {
        "<" => Comparison.LessThan,
        "<=" or "≤" => Comparison.AtMost,
        ">" => Comparison.GreaterThan,
        _ => Comparison.AtLeast,
    };

    private static Percentile ParseStatistic(string stat) => stat.ToLowerInvariant() switch
    {
        "p50" or "median" => Percentile.P50,
        "p90" => Percentile.P90,
        "p95" => Percentile.P95,
        "p99" => Percentile.P99,
        "p99.9" or "p999" => Percentile.P999,
        "mean" or "avg" => Percentile.Mean,
        "min" => Percentile.Min,
        _ => Percentile.Max,
    };

    private static Metric ParseMetric(string metric) => metric.ToLowerInvariant() switch
    {
        "ttft" or "time to first token" => Metric.Ttft,
        "tpot" => Metric.Tpot,
        "itl" or "inter-token latency" => Metric.InterTokenLatency,
        "e2e" or "end-to-end" or "latency" => Metric.EndToEnd,
        "queue time" or "queue" => Metric.QueueTime,
        _ => Metric.RateLimitRecovery,
    };

    internal static bool Holds(double measured, Comparison comparison, double limit) => comparison switch
    {
        Comparison.LessThan => measured < limit,
        Comparison.AtMost => measured <= limit,
        Comparison.GreaterThan => measured > limit,
        _ => measured >= limit,
    };

    internal static string Symbol(Comparison comparison, bool holds) => (comparison, holds) switch
    {
        (Comparison.LessThan, true) => "<",
        (Comparison.AtMost, true) => "≤",
        (Comparison.GreaterThan, true) => ">",
        (Comparison.AtLeast, true) => "≥",
        (Comparison.LessThan, false) => "≥",
        (Comparison.AtMost, false) => ">",
        (Comparison.GreaterThan, false) => "≤",
        _ => "<",
    };
}

/// <summary>A limit on one statistic of a latency distribution, e.g. P95 TTFT &lt; 500 ms.</summary>
public sealed record LatencyBudget : Budget
{
    public LatencyBudget(Metric metric, Percentile statistic, TimeSpan limit, Comparison comparison = Comparison.AtMost)
    {
        if (limit <= TimeSpan.Zero)
            throw new ArgumentException($"limit must be positive (got {limit.TotalMilliseconds} ms): give the latency the statistic must stay under, e.g. 500 ms.", nameof(limit));
        if (comparison is Comparison.GreaterThan or Comparison.AtLeast)
            throw new ArgumentException("A latency budget is an upper limit: use < or ≤ (e.g. 'p95 ttft < 500 ms').", nameof(comparison));
        Metric = metric;
        Statistic = statistic;
        Limit = limit;
        Comparison = comparison;
    }

    public Metric Metric { get; }
    public Percentile Statistic { get; }
    public TimeSpan Limit { get; }
    public Comparison Comparison { get; }

    public static Distribution Select(ScenarioResult result, Metric metric) => metric switch
    {
        Metric.Ttft => result.Ttft,
        Metric.Tpot => result.Tpot,
        Metric.InterTokenLatency => result.InterTokenLatency,
        Metric.EndToEnd => result.EndToEnd,
        Metric.QueueTime => result.QueueTime,
        Metric.RateLimitRecovery => result.RateLimitRecovery,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric"),
    };

    public override int MinimumSamples => Statistic.MinimumSamples();

    public override BudgetVerdict Evaluate(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var verdict = Evaluate(Select(result, Metric));
        // Say why in the run's terms: how many requests succeeded and what the others met.
        return verdict.NotMeasured && result.NotMeasuredReason(MinimumSamples) is { } reason
            ? verdict with { Explanation = $"{Statistic.Label()} {Select(result, Metric).Metric} {reason}; the {Limit.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms budget is neither met nor missed" }
            : verdict;
    }

    /// <summary>Evaluates on a distribution in milliseconds; one with fewer than <see cref="MinimumSamples"/> samples is not measured.</summary>
    public BudgetVerdict Evaluate(Distribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var limitMs = Limit.TotalMilliseconds;
        var label = $"{Statistic.Label()} {distribution.Metric}";
        if (!distribution.HasAtLeast(MinimumSamples))
            return new BudgetVerdict(this, BudgetOutcome.NotMeasured, null, "ms", string.Create(CultureInfo.InvariantCulture,
                $"{label} not measured: {distribution.Count} samples, {MinimumSamples} needed; the {limitMs:0.#} ms budget is neither met nor missed"));
        var measured = distribution.ValueOf(Statistic);
        var holds = Holds(measured, Comparison, limitMs);
        return new BudgetVerdict(this, holds ? BudgetOutcome.Met : BudgetOutcome.Missed, measured, "ms", string.Create(CultureInfo.InvariantCulture,
            $"{label} {measured:0.0} ms {Symbol(Comparison, holds)} {limitMs:0.#} ms budget{(holds ? "" : " (exceeded)")} — {distribution.Definition}, n={distribution.Count}"));
    }
}

/// <summary>A floor (or ceiling) on a run-level rate, e.g. output tokens/s ≥ 100.</summary>
public sealed record ThroughputBudget : Budget
{
    public ThroughputBudget(ThroughputMetric metric, double limit, Comparison comparison = Comparison.AtLeast)
    {
        if (!(limit > 0) || double.IsInfinity(limit))
            throw new ArgumentException($"limit must be a positive finite rate (got {limit.ToString(CultureInfo.InvariantCulture)}): give the rate to reach, e.g. 100.", nameof(limit));
        Metric = metric;
        Limit = limit;
        Comparison = comparison;
    }

    public ThroughputMetric Metric { get; }
    public double Limit { get; }
    public Comparison Comparison { get; }

    public override int MinimumSamples => 1;

    public override BudgetVerdict Evaluate(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rate = Metric == ThroughputMetric.RequestsPerSecond ? result.RequestsPerSecond : result.OutputTokensPerSecond;
        var name = Metric == ThroughputMetric.RequestsPerSecond ? "Requests/s" : "Output tokens/s";
        if (rate.Value is not { } value || result.NotMeasuredReason(MinimumSamples) is not null)
            return new BudgetVerdict(this, BudgetOutcome.NotMeasured, null, rate.Unit, string.Create(CultureInfo.InvariantCulture,
                $"{name} {result.NotMeasuredReason(MinimumSamples) ?? "not measured"}; the {Limit:0.#} budget is neither met nor missed"));
        var holds = Holds(value, Comparison, Limit);
        return new BudgetVerdict(this, holds ? BudgetOutcome.Met : BudgetOutcome.Missed, value, rate.Unit, string.Create(CultureInfo.InvariantCulture,
            $"{name} {value:0.0} {Symbol(Comparison, holds)} {Limit:0.#} budget{(holds ? "" : " (missed)")} — {rate.Definition}"));
    }
}
