using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// Metrics of completed requests. Not thread-safe: the runner stripes slots over a few shards, locks a shard
/// while recording one request, and merges the shards once at the end.
/// </summary>
internal sealed class MetricsShard
{
    /// <summary>Per-request tokens/s is recorded in milli-tokens/s to keep three decimals in an integer histogram.</summary>
    internal const double TokensPerSecondScale = 1000.0;

    public readonly MetricHistogram Ttft = new();
    public readonly MetricHistogram Tpot = new();
    public readonly MetricHistogram InterTokenLatency = new();
    public readonly MetricHistogram EndToEnd = new();
    public readonly MetricHistogram OutputTokensPerSecond = new();
    public readonly MetricHistogram QueueTime = new();
    public readonly MetricHistogram Attempts = new();
    public readonly MetricHistogram TtftError = new();
    public readonly MetricHistogram InterTokenGapError = new();
    public readonly MetricHistogram SendLateness = new();
    public readonly Dictionary<string, int> ErrorsByKey = new(StringComparer.Ordinal);
    public readonly TimestampList RateLimitedAt = new(16);
    public readonly TimestampList SucceededAt;

    /// <summary>One record per request, in completion order, when the run keeps them (bench --request-log); else null.</summary>
    public List<RequestRecord>? Requests;

    public int Started;
    public int Succeeded;
    public int Failed;
    public long OutputTokens;
    public int RateLimitedResponses;
    public TimeSpan? MaxRetryAfter;

    public MetricsShard(int expectedRequests) => SucceededAt = new TimestampList(Math.Max(16, expectedRequests));

    public void Record(RequestContext context, in RequestOutcome outcome, long endTimestamp)
    {
        Started++;
        Attempts.Record(context.Attempts);
        if (RequestMetrics.SendLatenessMicroseconds(context.ScheduledTimestamp, context.StartTimestamp) is { } late) SendLateness.Record(late);
        if (context.RateLimitedResponses > 0)
        {
            RateLimitedResponses += context.RateLimitedResponses;
            RateLimitedAt.Add(context.FirstRateLimitedTimestamp);
            NoteRetryAfter(context.RetryAfter);
        }

        if (!outcome.Succeeded)
        {
            Failed++;
            var key = outcome.ErrorKey ?? "unknown";
            ErrorsByKey[key] = ErrorsByKey.GetValueOrDefault(key) + 1;
            if (outcome.IsRateLimited)
            {
                RateLimitedResponses++;
                RateLimitedAt.Add(endTimestamp);
                NoteRetryAfter(outcome.RetryAfter);
            }
            return;
        }

        Succeeded++;
        SucceededAt.Add(endTimestamp);
        var tokens = outcome.OutputTokens > 0 ? outcome.OutputTokens : context.MarkedTokens;
        OutputTokens += tokens;

        var e2e = RequestMetrics.EndToEndMicroseconds(context.StartTimestamp, endTimestamp);
        EndToEnd.Record(e2e);
        if (RequestMetrics.OutputTokensPerSecond(tokens, e2e) is { } tps) OutputTokensPerSecond.Record((long)Math.Round(tps * TokensPerSecondScale));
        if (context.QueueTime is { } queue) QueueTime.Record((long)Math.Round(queue.TotalMicroseconds));

        if (context.FirstTokenTimestamp != 0)
        {
            var ttft = RequestMetrics.TtftMicroseconds(context.StartTimestamp, context.FirstTokenTimestamp);
            Ttft.Record(ttft);
            if (RequestMetrics.TpotMicroseconds(e2e, ttft, tokens) is { } tpot) Tpot.Record((long)Math.Round(tpot));
            if (context.ServedFirstChunkDelay is { } served) TtftError.Record(Math.Abs(ttft - (long)Math.Round(served.TotalMicroseconds)));
        }

        // Pooled ITL without allocating: gap i is chunk i+1 minus chunk i.
        var chunks = context.ChunkTimestamps;
        var servedGaps = context.ServedGapTicks;
        for (var i = 1; i < chunks.Length; i++)
        {
            var gap = RequestMetrics.ToMicroseconds(chunks[i] - chunks[i - 1]);
            InterTokenLatency.Record(gap);
            if (i - 1 < servedGaps.Length)
                InterTokenGapError.Record(Math.Abs(gap - (long)Math.Round(TimeSpan.FromTicks(servedGaps[i - 1]).TotalMicroseconds)));
        }
    }

    private void NoteRetryAfter(TimeSpan? retryAfter)
    {
        if (retryAfter is { } r && (MaxRetryAfter is null || r > MaxRetryAfter)) MaxRetryAfter = r;
    }

    public void Add(MetricsShard other)
    {
        Ttft.Add(other.Ttft);
        Tpot.Add(other.Tpot);
        InterTokenLatency.Add(other.InterTokenLatency);
        EndToEnd.Add(other.EndToEnd);
        OutputTokensPerSecond.Add(other.OutputTokensPerSecond);
        QueueTime.Add(other.QueueTime);
        Attempts.Add(other.Attempts);
        TtftError.Add(other.TtftError);
        InterTokenGapError.Add(other.InterTokenGapError);
        SendLateness.Add(other.SendLateness);
        foreach (var (key, count) in other.ErrorsByKey) ErrorsByKey[key] = ErrorsByKey.GetValueOrDefault(key) + count;
        RateLimitedAt.AddRange(other.RateLimitedAt);
        SucceededAt.AddRange(other.SucceededAt);
        if (other.Requests is { } requests) (Requests ??= new List<RequestRecord>(requests.Count)).AddRange(requests);
        Started += other.Started;
        Succeeded += other.Succeeded;
        Failed += other.Failed;
        OutputTokens += other.OutputTokens;
        RateLimitedResponses += other.RateLimitedResponses;
        if (other.MaxRetryAfter is { } r) NoteRetryAfter(r);
    }

    /// <summary>The histograms of every recorded metric (rate-limit recovery computed from the timestamps).</summary>
    public ScenarioHistograms ToHistograms() => new(new Dictionary<string, MetricHistogram>
    {
        [RecordedMetrics.Ttft.Key] = Ttft,
        [RecordedMetrics.Tpot.Key] = Tpot,
        [RecordedMetrics.InterTokenLatency.Key] = InterTokenLatency,
        [RecordedMetrics.EndToEnd.Key] = EndToEnd,
        [RecordedMetrics.OutputTokensPerSecondPerRequest.Key] = OutputTokensPerSecond,
        [RecordedMetrics.QueueTime.Key] = QueueTime,
        [RecordedMetrics.Attempts.Key] = Attempts,
        [RecordedMetrics.RateLimitRecovery.Key] = RateLimitRecovery(),
        [RecordedMetrics.TtftError.Key] = TtftError,
        [RecordedMetrics.InterTokenGapError.Key] = InterTokenGapError,
        [RecordedMetrics.SendLateness.Key] = SendLateness,
    });

    /// <summary>
    /// Recovery episodes: each starts at a 429 with no open episode and ends at the next success after it
    /// (by timestamp, so completion order does not matter).
    /// </summary>
    public MetricHistogram RateLimitRecovery()
    {
        var recovery = new MetricHistogram();
        if (RateLimitedAt.Count == 0) return recovery;
        var limited = RateLimitedAt.ToSortedArray();
        var successes = SucceededAt.ToSortedArray();
        var s = 0;
        var l = 0;
        while (l < limited.Length)
        {
            var episodeStart = limited[l];
            while (s < successes.Length && successes[s] < episodeStart) s++;
            if (s == successes.Length) break;
            recovery.Record(RequestMetrics.ToMicroseconds(successes[s] - episodeStart));
            while (l < limited.Length && limited[l] <= successes[s]) l++;
        }
        return recovery;
    }
}

/// <summary>Growable list of timestamps over a pre-sized array.</summary>
internal sealed class TimestampList(int capacity)
{
    private long[] _items = new long[capacity];
    public int Count { get; private set; }

    public void Add(long value)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = value;
    }

    public void AddRange(TimestampList other)
    {
        for (var i = 0; i < other.Count; i++) Add(other._items[i]);
    }

    public long[] ToSortedArray()
    {
        var copy = _items.AsSpan(0, Count).ToArray();
        Array.Sort(copy);
        return copy;
    }
}
