using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// One measured request as the runner timed it — what llmperf's individual responses and GenAI-Perf's profile export keep —
/// so a run's distributions can be recomputed, joined with a provider's own logs or cut differently (bench --request-log).
/// Times are milliseconds on the runner's clock, rounded to the microsecond the histograms record.
/// </summary>
public sealed record RequestRecord
{
    /// <summary>Sequence number within the measured phase, from 0, in the order requests were started.</summary>
    public required long Index { get; init; }

    /// <summary>Seconds from the start of the measured phase to this request's start.</summary>
    public required double StartSeconds { get; init; }

    /// <summary>Open loop: ms from the request's scheduled arrival to its start (a wait for a free slot, or for the client); null in a closed loop.</summary>
    public double? SendLatenessMs { get; init; }

    public required bool Succeeded { get; init; }

    /// <summary>The final response's HTTP status; null when the target did not say (e.g. the connection failed).</summary>
    public int? StatusCode { get; init; }

    /// <summary>The error key of a failed request (e.g. <c>rate-limited</c>, <c>authentication</c>); null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>Request start → the response's end, or the failure.</summary>
    public required double EndToEndMs { get; init; }

    /// <summary>Request start → first chunk with generated text, answer or reasoning (TTFT); null when none arrived.</summary>
    public double? TtftMs { get; init; }

    /// <summary>Output tokens: the provider's usage figure, else the chunks with generated text counted.</summary>
    public required int OutputTokens { get; init; }

    /// <summary>When each chunk with generated text arrived, ms after the request started (the first is the TTFT); empty when not streamed.</summary>
    public required IReadOnlyList<double> ChunksMs { get; init; }

    /// <summary>HTTP attempts the request took (1 without a retry).</summary>
    public required int Attempts { get; init; }

    /// <summary>429 responses met on the way, including those a retry recovered from.</summary>
    public required int RateLimitedResponses { get; init; }

    /// <summary>The provider's own queue time (Groq's <c>usage.queue_time</c>); null when it says nothing.</summary>
    public double? QueueMs { get; init; }

    /// <summary>The first-chunk delay the target says it served (the simulators do; real providers do not); null otherwise.</summary>
    public double? ServedFirstChunkMs { get; init; }

    /// <summary>The worker that measured the request: its index in a fleet, 0 for a run on one machine.</summary>
    public int Worker { get; init; }

    /// <summary>The record of a request that just completed, <paramref name="phaseStart"/> being its phase's start (Stopwatch timestamps).</summary>
    internal static RequestRecord From(RequestContext context, in RequestOutcome outcome, long endTimestamp, long phaseStart)
    {
        var chunks = context.ChunkTimestamps;
        var chunksMs = new double[chunks.Length];
        for (var i = 0; i < chunks.Length; i++) chunksMs[i] = Ms(RequestMetrics.ToMicroseconds(chunks[i] - context.StartTimestamp));
        return new RequestRecord
        {
            Index = context.RequestIndex,
            StartSeconds = Math.Round(RequestMetrics.ToMicroseconds(context.StartTimestamp - phaseStart) / 1e6, 6),
            SendLatenessMs = RequestMetrics.SendLatenessMicroseconds(context.ScheduledTimestamp, context.StartTimestamp) is { } late ? Ms(late) : null,
            Succeeded = outcome.Succeeded,
            StatusCode = outcome.StatusCode,
            Error = outcome.Succeeded ? null : outcome.ErrorKey ?? "unknown",
            EndToEndMs = Ms(RequestMetrics.EndToEndMicroseconds(context.StartTimestamp, endTimestamp)),
            TtftMs = context.FirstTokenTimestamp == 0 ? null : Ms(RequestMetrics.TtftMicroseconds(context.StartTimestamp, context.FirstTokenTimestamp)),
            OutputTokens = outcome.OutputTokens > 0 ? outcome.OutputTokens : context.MarkedTokens,
            ChunksMs = chunksMs,
            Attempts = context.Attempts,
            RateLimitedResponses = context.RateLimitedResponses + (outcome.IsRateLimited ? 1 : 0),
            QueueMs = context.QueueTime is { } queue ? Math.Round(queue.TotalMilliseconds, 3) : null,
            ServedFirstChunkMs = context.ServedFirstChunkDelay is { } served ? Math.Round(served.TotalMilliseconds, 3) : null,
        };
    }

    private static double Ms(long microseconds) => microseconds / 1000.0;
}
