using System.Diagnostics;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// Per-request metric definitions on raw <see cref="Stopwatch"/> timestamps; the runner and the tests use the
/// same functions, so a definition lives in one place.
/// </summary>
public static class RequestMetrics
{
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Converts a Stopwatch tick interval to whole microseconds.</summary>
    public static long ToMicroseconds(long stopwatchTicks) => (long)Math.Round(stopwatchTicks * MicrosecondsPerTick);

    /// <summary>llmperf / vLLM TTFT: request start to the first chunk with generated text (answer or reasoning).</summary>
    public static long TtftMicroseconds(long startTimestamp, long firstTokenTimestamp) =>
        ToMicroseconds(firstTokenTimestamp - startTimestamp);

    /// <summary>End-to-end latency: request start to the end of the response.</summary>
    public static long EndToEndMicroseconds(long startTimestamp, long endTimestamp) =>
        ToMicroseconds(endTimestamp - startTimestamp);

    /// <summary>vLLM TPOT: (e2e − TTFT) ÷ (output tokens − 1); undefined (null) for fewer than 2 output tokens.</summary>
    public static double? TpotMicroseconds(long endToEndMicroseconds, long ttftMicroseconds, int outputTokens) =>
        outputTokens < 2 ? null : (double)(endToEndMicroseconds - ttftMicroseconds) / (outputTokens - 1);

    /// <summary>
    /// Open loop: how long after its scheduled arrival a request was sent, in microseconds (never negative: the runner
    /// never sends early); null for a request with no schedule (closed loop, <paramref name="scheduledTimestamp"/> 0).
    /// </summary>
    public static long? SendLatenessMicroseconds(long scheduledTimestamp, long startTimestamp) =>
        scheduledTimestamp == 0 ? null : Math.Max(0, ToMicroseconds(startTimestamp - scheduledTimestamp));

    /// <summary>llmperf per-request output throughput: output tokens ÷ e2e seconds; null when not measurable.</summary>
    public static double? OutputTokensPerSecond(int outputTokens, long endToEndMicroseconds) =>
        outputTokens < 1 || endToEndMicroseconds <= 0 ? null : outputTokens / (endToEndMicroseconds / 1_000_000.0);

    /// <summary>vLLM ITL: every gap between successive content chunks, in microseconds (pooled across requests by the caller).</summary>
    public static long[] InterTokenGapsMicroseconds(ReadOnlySpan<long> chunkTimestamps)
    {
        if (chunkTimestamps.Length < 2) return [];
        var gaps = new long[chunkTimestamps.Length - 1];
        for (var i = 1; i < chunkTimestamps.Length; i++) gaps[i - 1] = ToMicroseconds(chunkTimestamps[i] - chunkTimestamps[i - 1]);
        return gaps;
    }
}
