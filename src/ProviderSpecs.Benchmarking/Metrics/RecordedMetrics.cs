using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// One metric a run records into a histogram: its key (the interval log's tag suffix and the results file's key), the
/// unit it is recorded in (integers), and how it is reported (<see cref="Scale"/> divides recorded values into
/// <see cref="Unit"/>).
/// </summary>
public sealed record RecordedMetric(string Key, string Name, string Unit, string RecordedUnit, string Definition, double Scale)
{
    /// <summary>The report's distribution of a histogram of this metric.</summary>
    public Distribution Summarise(MetricHistogram histogram) => histogram.ToDistribution(Name, Unit, Definition, Scale);
}

/// <summary>Every metric a scenario records, in report order: one place for names, units and scales.</summary>
public static class RecordedMetrics
{
    private const string Microseconds = "microseconds";

    public static readonly RecordedMetric Ttft = new("ttft", "TTFT", "ms", Microseconds, MetricDefinitions.Ttft, 1000);
    public static readonly RecordedMetric Tpot = new("tpot", "TPOT", "ms", Microseconds, MetricDefinitions.Tpot, 1000);
    public static readonly RecordedMetric InterTokenLatency = new("itl", "ITL", "ms", Microseconds, MetricDefinitions.InterTokenLatency, 1000);
    public static readonly RecordedMetric EndToEnd = new("e2e", "E2E latency", "ms", Microseconds, MetricDefinitions.EndToEnd, 1000);

    /// <summary>Per-request tokens/s is recorded in milli-tokens/s to keep three decimals in an integer histogram.</summary>
    public static readonly RecordedMetric OutputTokensPerSecondPerRequest = new("output-tokens-per-second", "Output tokens/s per request", "tok/s",
        "milli-tokens/s", MetricDefinitions.OutputTokensPerSecondPerRequest, MetricsShard.TokensPerSecondScale);

    public static readonly RecordedMetric QueueTime = new("queue-time", "Queue time", "ms", Microseconds, MetricDefinitions.QueueTime, 1000);
    public static readonly RecordedMetric Attempts = new("attempts", "Attempts", "attempts", "attempts", MetricDefinitions.Attempts, 1);
    public static readonly RecordedMetric RateLimitRecovery = new("rate-limit-recovery", "Rate-limit recovery", "ms", Microseconds, MetricDefinitions.RateLimitRecovery, 1000);
    public static readonly RecordedMetric TtftError = new("ttft-error", "TTFT error", "ms", Microseconds, MetricDefinitions.TtftError, 1000);
    public static readonly RecordedMetric InterTokenGapError = new("gap-error", "Chunk gap error", "ms", Microseconds, MetricDefinitions.InterTokenGapError, 1000);

    public static readonly RecordedMetric SendLateness = new("send-lateness", "Send lateness", "ms", Microseconds, MetricDefinitions.SendLateness, 1000);

    public static readonly IReadOnlyList<RecordedMetric> All =
        [Ttft, Tpot, InterTokenLatency, EndToEnd, OutputTokensPerSecondPerRequest, QueueTime, Attempts, RateLimitRecovery, TtftError, InterTokenGapError, SendLateness];

    /// <summary>A result's distribution of <paramref name="metric"/>.</summary>
    public static Distribution Of(ScenarioResult result, RecordedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(metric);
        return metric.Key switch
        {
            "ttft" => result.Ttft,
            "tpot" => result.Tpot,
            "itl" => result.InterTokenLatency,
            "e2e" => result.EndToEnd,
            "output-tokens-per-second" => result.OutputTokensPerSecondPerRequest,
            "queue-time" => result.QueueTime,
            "attempts" => result.Attempts,
            "rate-limit-recovery" => result.RateLimitRecovery,
            "ttft-error" => result.TtftError,
            "gap-error" => result.InterTokenGapError,
            "send-lateness" => result.SendLateness,
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric.Key, "unknown metric"),
        };
    }

    /// <summary>The metric of a key, or null when no metric has it.</summary>
    public static RecordedMetric? Find(string key) => All.FirstOrDefault(m => m.Key == key);
}

/// <summary>The raw histograms of one scenario, one per <see cref="RecordedMetrics"/> entry: what an interval log holds and a merge adds.</summary>
public sealed class ScenarioHistograms
{
    private readonly Dictionary<string, MetricHistogram> _histograms;

    public ScenarioHistograms(IReadOnlyDictionary<string, MetricHistogram>? histograms = null)
    {
        _histograms = RecordedMetrics.All.ToDictionary(m => m.Key, m => histograms?.GetValueOrDefault(m.Key) ?? new MetricHistogram(), StringComparer.Ordinal);
    }

    public MetricHistogram this[RecordedMetric metric] => _histograms[metric.Key];

    public Distribution Summarise(RecordedMetric metric) => metric.Summarise(this[metric]);

    /// <summary>The exact figures of every metric, keyed as in the interval log's tags.</summary>
    public IReadOnlyDictionary<string, RecordedStatistics> Recorded() =>
        RecordedMetrics.All.ToDictionary(m => m.Key, m => this[m].ToRecorded(m.RecordedUnit), StringComparer.Ordinal);

    /// <summary>Adds another scenario's histograms into these (counts exactly, min/max/sum exactly).</summary>
    public void Add(ScenarioHistograms other)
    {
        foreach (var metric in RecordedMetrics.All) this[metric].Add(other[metric]);
    }

    /// <summary>
    /// <paramref name="template"/> with every distribution (and the exact figures) recomputed from these histograms, which
    /// it then carries for the interval log.
    /// </summary>
    public ScenarioResult ApplyTo(ScenarioResult template) => template with
    {
        Ttft = Summarise(RecordedMetrics.Ttft),
        Tpot = Summarise(RecordedMetrics.Tpot),
        InterTokenLatency = Summarise(RecordedMetrics.InterTokenLatency),
        EndToEnd = Summarise(RecordedMetrics.EndToEnd),
        OutputTokensPerSecondPerRequest = Summarise(RecordedMetrics.OutputTokensPerSecondPerRequest),
        QueueTime = Summarise(RecordedMetrics.QueueTime),
        Attempts = Summarise(RecordedMetrics.Attempts),
        RateLimitRecovery = Summarise(RecordedMetrics.RateLimitRecovery),
        TtftError = Summarise(RecordedMetrics.TtftError),
        InterTokenGapError = Summarise(RecordedMetrics.InterTokenGapError),
        SendLateness = Summarise(RecordedMetrics.SendLateness),
        Recorded = Recorded(),
        Histograms = this,
    };
}
