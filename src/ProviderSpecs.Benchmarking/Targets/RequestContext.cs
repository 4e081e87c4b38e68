using System.Diagnostics;

namespace ProviderSpecs.Benchmarking.Targets;

/// <summary>
/// Per-request event sink handed to <see cref="IBenchmarkTarget.SendAsync"/>. Instances are pooled per
/// concurrency slot and reused, so a target must not keep one after its request completes.
/// Timestamps come from <see cref="Stopwatch.GetTimestamp"/>.
/// </summary>
public sealed class RequestContext
{
    private long[] _chunkTimestamps;
    private int _chunkCount;
    private long[] _servedGapTicks;
    private int _servedGapCount;

    internal RequestContext(int initialChunkCapacity = 64)
    {
        _chunkTimestamps = new long[initialChunkCapacity];
        _servedGapTicks = new long[initialChunkCapacity];
    }

    /// <summary>Sequence number of this request within its phase (warm-up and measured phases count separately).</summary>
    public long RequestIndex { get; private set; }

    /// <summary>True while the run is warming up; these requests are excluded from results.</summary>
    public bool IsWarmup { get; private set; }

    /// <summary>Whether the target should reuse pooled connections or open a new one for this request.</summary>
    public ConnectionMode ConnectionMode { get; private set; }

    internal long StartTimestamp { get; private set; }

    /// <summary>Open loop: when the schedule had this request arrive (a Stopwatch timestamp); 0 in a closed loop.</summary>
    internal long ScheduledTimestamp { get; private set; }
    internal long FirstTokenTimestamp { get; private set; }
    internal int MarkedTokens { get; private set; }
    internal TimeSpan? QueueTime { get; private set; }
    internal int Attempts { get; private set; }
    internal TimeSpan? ServedFirstChunkDelay { get; private set; }
    internal ReadOnlySpan<long> ChunkTimestamps => _chunkTimestamps.AsSpan(0, _chunkCount);
    internal ReadOnlySpan<long> ServedGapTicks => _servedGapTicks.AsSpan(0, _servedGapCount);
    internal int RateLimitedResponses { get; private set; }
    internal long FirstRateLimitedTimestamp { get; private set; }
    internal TimeSpan? RetryAfter { get; private set; }

    /// <summary>Marks the first content token now, if not already marked (for targets that do not stream chunks).</summary>
    public void MarkFirstToken()
    {
        if (FirstTokenTimestamp == 0) FirstTokenTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Records that a chunk carrying content arrived now. The first one is the first token (llmperf/vLLM TTFT).</summary>
    public void MarkChunk(int tokens = 1)
    {
        if (tokens < 1)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "tokens must be at least 1: mark only chunks that carry content.");
        var now = Stopwatch.GetTimestamp();
        if (FirstTokenTimestamp == 0) FirstTokenTimestamp = now;
        if (_chunkCount == _chunkTimestamps.Length) Array.Resize(ref _chunkTimestamps, _chunkTimestamps.Length * 2);
        _chunkTimestamps[_chunkCount++] = now;
        MarkedTokens += tokens;
    }

    /// <summary>Provider-reported queue time (e.g. Groq usage.queue_time).</summary>
    public void SetQueueTime(TimeSpan queueTime) => QueueTime = queueTime;

    /// <summary>Number of HTTP attempts this request took (1 when no retry happened).</summary>
    public void SetAttempts(int attempts)
    {
        if (attempts < 1)
            throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "attempts must be at least 1.");
        Attempts = attempts;
    }

    /// <summary>
    /// Records a 429 received during this request that a retry later answered; counts toward the run's
    /// rate-limit count and recovery time. A final 429 outcome is counted from the outcome instead.
    /// </summary>
    public void RecordRateLimited(TimeSpan? retryAfter = null)
    {
        if (RateLimitedResponses++ == 0) FirstRateLimitedTimestamp = Stopwatch.GetTimestamp();
        if (retryAfter is { } r) RetryAfter = r;
    }

    /// <summary>
    /// Ground truth from a paced target: the first-chunk delay and chunk gaps it actually served, so that
    /// measured minus served can be computed.
    /// </summary>
    public void SetServedTiming(TimeSpan firstChunkDelay, ReadOnlySpan<TimeSpan> chunkGaps)
    {
        var ticks = ServedTiming(firstChunkDelay, chunkGaps.Length);
        for (var i = 0; i < chunkGaps.Length; i++) ticks[i] = chunkGaps[i].Ticks;
    }

    /// <summary>The same, for a target that served every gap alike (the simulators say one gap for a whole stream).</summary>
    public void SetServedTiming(TimeSpan firstChunkDelay, TimeSpan chunkGap, int gaps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gaps);
        ServedTiming(firstChunkDelay, gaps).Fill(chunkGap.Ticks);
    }

    /// <summary>Records the first-chunk delay and returns room for <paramref name="gaps"/> served gaps (the buffer is reused).</summary>
    private Span<long> ServedTiming(TimeSpan firstChunkDelay, int gaps)
    {
        ServedFirstChunkDelay = firstChunkDelay;
        if (_servedGapTicks.Length < gaps) _servedGapTicks = new long[gaps];
        _servedGapCount = gaps;
        return _servedGapTicks.AsSpan(0, gaps);
    }

    internal void Begin(long requestIndex, bool isWarmup, ConnectionMode connectionMode, long scheduledTimestamp = 0)
    {
        ScheduledTimestamp = scheduledTimestamp;
        RequestIndex = requestIndex;
        IsWarmup = isWarmup;
        ConnectionMode = connectionMode;
        FirstTokenTimestamp = 0;
        MarkedTokens = 0;
        QueueTime = null;
        Attempts = 1;
        ServedFirstChunkDelay = null;
        _chunkCount = 0;
        _servedGapCount = 0;
        RateLimitedResponses = 0;
        FirstRateLimitedTimestamp = 0;
        RetryAfter = null;
        StartTimestamp = Stopwatch.GetTimestamp();
    }
}
