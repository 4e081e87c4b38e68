using HdrHistogram;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// An HdrHistogram <see cref="LongHistogram"/> plus exact min, max, sum and count (HdrHistogram gives neither an exact
/// minimum nor an exact mean). Not thread-safe: the runner keeps one per concurrency slot and merges them.
/// </summary>
public sealed class MetricHistogram
{
    /// <summary>One hour in microseconds: longer values are clamped (and counted in <see cref="ClampedCount"/>).</summary>
    public const long HighestTrackableValue = 3_600_000_000L;

    /// <summary>Significant decimal digits every histogram keeps: values are exact to 1 part in 1,000.</summary>
    public const int SignificantDigits = 3;

    private readonly LongHistogram _histogram = new(HighestTrackableValue, SignificantDigits);
    private long _min = long.MaxValue;
    private long _max;
    // Recorded values are whole numbers, so a long sum is exact (a double one would drift past 2^53).
    private long _sum;

    public long Count => _histogram.TotalCount;
    public long ClampedCount { get; private set; }

    /// <summary>Exact smallest recorded value; null when nothing was recorded.</summary>
    public long? Min => Count == 0 ? null : _min;

    /// <summary>Exact largest recorded value; null when nothing was recorded.</summary>
    public long? Max => Count == 0 ? null : _max;

    /// <summary>Exact sum of the recorded values.</summary>
    public long Sum => _sum;

    /// <summary>Records one value (microseconds, or the metric's own integer unit). Negative values are recorded as 0.</summary>
    public void Record(long value)
    {
        if (value < 0) value = 0;
        if (value > HighestTrackableValue) { value = HighestTrackableValue; ClampedCount++; }
        _histogram.RecordValue(value);
        if (value < _min) _min = value;
        if (value > _max) _max = value;
        _sum += value;
    }

    public void Add(MetricHistogram other)
    {
        if (other.Count == 0) return;
        _histogram.Add(other._histogram);
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
        _sum += other._sum;
        ClampedCount += other.ClampedCount;
    }

    /// <summary>Value at a percentile (0–100), in the recorded unit.</summary>
    public long ValueAtPercentile(double percentile) => Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile);

    /// <summary>Summarises into a <see cref="Distribution"/>, dividing every value by <paramref name="scale"/> (e.g. 1000 for µs → ms).</summary>
    public Distribution ToDistribution(string metric, string unit, string definition, double scale = 1.0)
    {
        if (Count == 0) return Distribution.Empty(metric, unit, definition);
        double S(long v) => v / scale;
        return new Distribution(
            metric, unit, definition, Count,
            Min: S(_min),
            Mean: (double)_sum / Count / scale,
            P50: S(ValueAtPercentile(50)),
            P90: S(ValueAtPercentile(90)),
            P95: S(ValueAtPercentile(95)),
            P99: S(ValueAtPercentile(99)),
            P999: S(ValueAtPercentile(99.9)),
            // HdrHistogram reports bucket-equivalent maxima; the exact maximum is known.
            Max: S(_max));
    }

    /// <summary>The exact figures the histogram's buckets do not keep, for the results file (a merge needs them).</summary>
    public RecordedStatistics ToRecorded(string unit) => new(unit, Count, Min, Max, _sum, ClampedCount);

    /// <summary>A copy of the HdrHistogram counts, tagged and timed for an interval log.</summary>
    public HistogramBase ToLogEntry(string tag, DateTimeOffset start, DateTimeOffset end)
    {
        var copy = _histogram.Copy();
        copy.Tag = tag;
        copy.StartTimeStamp = start.ToUnixTimeMilliseconds();
        copy.EndTimeStamp = end.ToUnixTimeMilliseconds();
        return copy;
    }

    /// <summary>
    /// Rebuilds a histogram from the counts an interval log holds and the exact figures the results file holds. Throws
    /// <see cref="InvalidDataException"/> when they do not describe the same samples.
    /// </summary>
    public static MetricHistogram Restore(HistogramBase? counts, RecordedStatistics recorded, string what)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var restored = new MetricHistogram();
        var total = counts?.TotalCount ?? 0;
        if (total != recorded.Count)
            throw new InvalidDataException($"{what}: the interval log holds {total} samples but the results file recorded {recorded.Count}; the two files are not of the same run.");
        if (recorded.Count == 0) return restored;
        if (recorded.Min is not { } min || recorded.Max is not { } max || min > max || recorded.Sum < 0 || recorded.Clamped < 0)
            throw new InvalidDataException($"{what}: the results file's exact figures (min, max, sum) are missing or inconsistent.");
        try
        {
            restored._histogram.Add(counts!);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"{what}: the interval log's histogram does not fit this benchmark's histograms (1 µs to 1 h, 3 digits): {e.Message}", e);
        }
        restored._min = min;
        restored._max = max;
        restored._sum = recorded.Sum;
        restored.ClampedCount = recorded.Clamped;
        return restored;
    }
}
