using ProviderSpecs.Benchmarking.Metrics;

namespace ProviderSpecs.Benchmarking.Results;

/// <summary>The measured result of one benchmark run of one provider/model under one load.</summary>
public sealed record ScenarioResult
{
    public required string Provider { get; init; }
    public required string Model { get; init; }
    public string? Name { get; init; }

    /// <summary>
    /// What was imposed on the run on purpose (e.g. "latency profile ×2", "rate-limit burst of 3"); empty for a run
    /// of the provider as it is. Readers leave conditioned runs out of comparisons and recommendations.
    /// </summary>
    public IReadOnlyList<string> Conditions { get; init; } = [];
    public required LoadDescription Load { get; init; }
    public required string ConnectionMode { get; init; }
    public required int WarmupRequests { get; init; }
    public required int WarmupFailures { get; init; }

    /// <summary>
    /// Closed loop: over how many seconds the measured phase started its loops (the warm-up's median request time, at most
    /// 1 ms a loop and a tenth of a duration bound), so it begins as a closed loop runs, not with every request sent at
    /// once; 0 when they started together (no warm-up request succeeded). Null for an open loop and in files written before
    /// it was recorded.
    /// </summary>
    public double? StartSpreadSeconds { get; init; }

    /// <summary>Why the run stopped: "request-count" or "duration".</summary>
    public required string StoppedBy { get; init; }

    public required int Started { get; init; }
    public required int Succeeded { get; init; }
    public required int Failed { get; init; }
    public required double ElapsedSeconds { get; init; }

    /// <summary>Highest number of requests the runner had in flight at once.</summary>
    public required int PeakInFlight { get; init; }

    public required long OutputTokens { get; init; }
    public required Rate RequestsPerSecond { get; init; }

    /// <summary>
    /// Open loop: the rate its schedule actually offered (<see cref="Metrics.MetricDefinitions.ScheduledRequestsPerSecond"/>):
    /// a Poisson schedule's realised rate is a draw around the nominal one (seed 42's first 100 arrivals at 20 req/s
    /// come at 28.0 req/s). Null for a closed loop, for fewer than two arrivals, and in files written before it was recorded.
    /// </summary>
    public Rate? ScheduledRequestsPerSecond { get; init; }
    public required Rate OutputTokensPerSecond { get; init; }
    public required Rate ErrorRate { get; init; }
    public required IReadOnlyDictionary<string, int> ErrorsByKey { get; init; }

    /// <summary>429 responses seen, including ones a retry inside a request recovered from.</summary>
    public required int RateLimitedResponses { get; init; }
    public required double? MaxRetryAfterSeconds { get; init; }
    public required Distribution RateLimitRecovery { get; init; }

    public required Distribution Ttft { get; init; }
    public required Distribution Tpot { get; init; }
    public required Distribution InterTokenLatency { get; init; }
    public required Distribution EndToEnd { get; init; }
    public required Distribution OutputTokensPerSecondPerRequest { get; init; }
    public required Distribution QueueTime { get; init; }
    public required Distribution Attempts { get; init; }

    /// <summary>|measured − served| TTFT; only filled when the target reports served timing (paced self-test target).</summary>
    public required Distribution TtftError { get; init; }

    /// <summary>|measured − served| chunk gap; only filled when the target reports served timing.</summary>
    public required Distribution InterTokenGapError { get; init; }

    /// <summary>
    /// Open loop: how late each request was sent after its scheduled arrival; empty for a closed loop and in files written
    /// before it was recorded. A tail here means the run offered less than its rate (see <c>MarkdownReport.LateSendWarning</c>).
    /// </summary>
    public Distribution SendLateness { get; init; } = Distribution.Empty(RecordedMetrics.SendLateness.Name, RecordedMetrics.SendLateness.Unit, RecordedMetrics.SendLateness.Definition);

    public required ResourceUsage Resources { get; init; }

    /// <summary>When the measured phase began (UTC); null in files written before it was recorded.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>
    /// The exact figures HdrHistogram's buckets do not keep (count, min, max, sum, clamped), per metric key, in each
    /// metric's recorded integer unit: with the interval log's counts they let a merge keep min, max and mean exact.
    /// Null in files written before they were recorded.
    /// </summary>
    public IReadOnlyDictionary<string, RecordedStatistics>? Recorded { get; init; }

    /// <summary>A merged result's breakdown: each worker's own share of this scenario. Null for a single run.</summary>
    public IReadOnlyList<WorkerFigures>? Workers { get; init; }

    /// <summary>The raw histograms behind the distributions, when the run kept them (for the interval log); never serialised.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ScenarioHistograms? Histograms { get; init; }

    /// <summary>
    /// One record per measured request, by index (merged: by worker, then index), when the run kept them
    /// (<see cref="Load.BenchmarkRunOptions.KeepRequests"/>); written to the request log, never to the results file.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<RequestRecord>? Requests { get; init; }

    /// <summary>
    /// Why the run's figures are not measured, or null when they are: "not measured: 0 of 20 requests succeeded (errors by
    /// key: rate-limited × 20)". Every reader shows this instead of a number.
    /// </summary>
    public string? NotMeasuredReason(int minimumSuccesses = 1) => Succeeded >= Math.Max(1, minimumSuccesses) ? null
        : $"not measured: {Succeeded} of {Started} requests succeeded{(minimumSuccesses > 1 ? $", {minimumSuccesses} needed" : "")} (errors by key: {(ErrorsByKey.Count == 0 ? "none" : string.Join(", ", ErrorsByKey.Select(e => $"{e.Key} × {e.Value}")))})";

    /// <summary>The latency distributions, in report order.</summary>
    public IEnumerable<Distribution> LatencyDistributions() => [Ttft, Tpot, InterTokenLatency, EndToEnd, QueueTime];
}

/// <summary>A scalar rate with the definition it uses; <see cref="Value"/> is null when it was not measured (no request succeeded).</summary>
public sealed record Rate(double? Value, string Unit, string Definition)
{
    /// <summary>The value; throws <see cref="NotMeasuredException"/> when it was not measured.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double Measured => Value ?? throw new NotMeasuredException($"{Unit} was not measured: no request of the run succeeded.");
}

/// <summary>The load a scenario ran under.</summary>
public sealed record LoadDescription(string Kind, string Description, double Level, int MaxConcurrency, string? Arrival, int? Seed);

/// <summary>Process resource use during the measured phase of a run (client and any in-process target together).</summary>
public sealed record ResourceUsage
{
    public required double DurationSeconds { get; init; }
    public required long AllocatedBytes { get; init; }
    public required double AllocatedBytesPerRequest { get; init; }
    public required int Gen0Collections { get; init; }
    public required int Gen1Collections { get; init; }
    public required int Gen2Collections { get; init; }
    public required long WorkingSetStartBytes { get; init; }

    /// <summary>Highest working set sampled during the run.</summary>
    public required long WorkingSetPeakBytes { get; init; }

    /// <summary>Peak sampled count of established TCP connections to the target port; null when no port was given.</summary>
    public required int? PeakOpenConnections { get; init; }

    /// <summary>CPU time this process used during the measured phase (all threads); null in results written before it was recorded.</summary>
    public double? CpuSeconds { get; init; }

    /// <summary>
    /// Time this process stood still in garbage collections during the measured phase: a chunk that arrives in a pause is
    /// timed after it, so this bounds how much of the error tail the client itself caused. Null in results written before it was recorded.
    /// </summary>
    public double? GcPauseSeconds { get; init; }

    /// <summary>Whether this process ran socket completions inline (see <c>InlineSocketCompletions</c>); null when unknown.</summary>
    public bool? InlineSocketCompletions { get; init; }

    /// <summary>Processors of the machine that measured (summed over the workers of a merged run); null in older results.</summary>
    public int? ProcessorCount { get; init; }

    /// <summary>
    /// Share of the machine's processors the client process kept busy (0–1); null without the figures. Near 1 the client
    /// itself was CPU-bound: a chunk waited for a processor before it was timed, so latencies include the client's queueing.
    /// </summary>
    public double? ClientProcessorShare => CpuSeconds is { } cpu && ProcessorCount is > 0 && DurationSeconds > 0 ? cpu / (DurationSeconds * ProcessorCount.Value) : null;

    /// <summary>From this share of the processors on, reports warn that the client was CPU-bound.</summary>
    public const double ClientBoundShare = 0.8;
}

/// <summary>A sweep: the same provider/model at increasing load.</summary>
public sealed record SweepResult(string Provider, string Model, string Parameter, IReadOnlyList<ScenarioResult> Points);

/// <summary>
/// Exact figures of one recorded metric, in its recorded integer <see cref="Unit"/> (e.g. microseconds): HdrHistogram keeps
/// counts per bucket only, so these are what a merge needs besides them. Min and max are null when nothing was recorded.
/// </summary>
public sealed record RecordedStatistics(string Unit, long Count, long? Min, long? Max, long Sum, long Clamped);

/// <summary>
/// One worker's share of a merged scenario: who it was and its own key figures (null = not measured). Latencies in ms.
/// </summary>
public sealed record WorkerFigures(
    int Index,
    string? Label,
    string Machine,
    int Started,
    int Succeeded,
    int Failed,
    double ElapsedSeconds,
    double? RequestsPerSecond,
    double? TtftP50,
    double? TtftP95,
    double? TtftP99,
    double? EndToEndP50,
    double? EndToEndP95);
