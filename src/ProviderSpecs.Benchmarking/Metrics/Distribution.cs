using System.Text.Json.Serialization;

namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>
/// Summary of one metric's distribution, labelled with its unit and the definition it uses. A distribution with no
/// samples (<see cref="IsEmpty"/>: every request failed, or none was made) has no statistics: they are null, in
/// code and in JSON, and <see cref="ValueOf"/> throws — an empty distribution is "not measured", never 0.
/// </summary>
public sealed record Distribution(
    string Metric,
    string Unit,
    string Definition,
    long Count,
    double? Min,
    double? Mean,
    double? P50,
    double? P90,
    double? P95,
    double? P99,
    double? P999,
    double? Max)
{
    /// <summary>A distribution of no samples.</summary>
    public static Distribution Empty(string metric, string unit, string definition) =>
        new(metric, unit, definition, 0, null, null, null, null, null, null, null, null);

    /// <summary>True when nothing was measured: no statistic exists.</summary>
    [JsonIgnore]
    public bool IsEmpty => Count == 0 || P50 is null;

    /// <summary>The value of one summary statistic; throws <see cref="NotMeasuredException"/> when the distribution is empty.</summary>
    public double ValueOf(Percentile percentile) => Get(percentile)
        ?? throw new NotMeasuredException($"{Metric} was not measured: its distribution holds no samples, so it has no {percentile.Label()}.");

    /// <summary>The value of one summary statistic, or null when the distribution is empty.</summary>
    public double? TryValueOf(Percentile percentile) => IsEmpty ? null : Get(percentile);

    /// <summary>One statistic formatted for a report: "—" when nothing was measured, never 0.</summary>
    public string Format(Percentile percentile, string format = "0.0") =>
        TryValueOf(percentile)?.ToString(format, System.Globalization.CultureInfo.InvariantCulture) ?? "—";

    /// <summary>Whether the distribution holds at least <paramref name="samples"/> samples.</summary>
    public bool HasAtLeast(long samples) => !IsEmpty && Count >= samples;

    private double? Get(Percentile percentile) => percentile switch
    {
        Percentile.P50 => P50,
        Percentile.P90 => P90,
        Percentile.P95 => P95,
        Percentile.P99 => P99,
        Percentile.P999 => P999,
        Percentile.Mean => Mean,
        Percentile.Min => Min,
        Percentile.Max => Max,
        _ => throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "unknown statistic"),
    };
}

/// <summary>A figure was read from a measurement that holds no samples.</summary>
public sealed class NotMeasuredException(string message) : InvalidOperationException(message);

/// <summary>A summary statistic of a distribution.</summary>
public enum Percentile { P50, P90, P95, P99, P999, Mean, Min, Max }

public static class PercentileNames
{
    public static string Label(this Percentile percentile) => percentile switch
    {
        Percentile.P999 => "P99.9",
        Percentile.Mean => "mean",
        Percentile.Min => "min",
        Percentile.Max => "max",
        _ => percentile.ToString(),
    };

    /// <summary>
    /// The fewest samples a statistic means something on: a P95 of fewer than 20 samples is only their maximum. Budgets
    /// and comparisons on fewer are "not measured".
    /// </summary>
    public static int MinimumSamples(this Percentile percentile) => percentile switch
    {
        Percentile.P50 => 3,
        Percentile.P90 => 10,
        Percentile.P95 => 20,
        Percentile.P99 => 100,
        Percentile.P999 => 1000,
        _ => 1,
    };
}
