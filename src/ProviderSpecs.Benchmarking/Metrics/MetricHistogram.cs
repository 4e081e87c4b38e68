using HdrHistogram;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// An HdrHistogram <see cref="LongHistogram"/> plus exact min, sum and count (HdrHistogram gives neither an exact
/// minimum nor an exact mean). Not thread-safe: the runner keeps one per concurrency slot and merges them.
/// </summary>
public sealed class MetricHistogram
{
    /// <summary>One hour in microseconds: longer values are clamped (and counted in <see cref="ClampedCount"/>).</summary>
    public const long HighestTrackableValue = 3_600_000_000L;

    private readonly LongHistogram _histogram = new(HighestTrackableValue, 3);
    private long _min = long.MaxValue;
    private long _max;
    private double _sum;

    public long Count => _histogram.TotalCount;
    public long ClampedCount { get; private set; }

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
            Mean: _sum / Count / scale,
            P50: S(ValueAtPercentile(50)),
            P90: S(ValueAtPercentile(90)),
            P95: S(ValueAtPercentile(95)),
            P99: S(ValueAtPercentile(99)),
            P999: S(ValueAtPercentile(99.9)),
            // HdrHistogram reports bucket-equivalent maxima; the exact maximum is known.
            Max: S(_max));
    }
}
