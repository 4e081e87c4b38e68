namespace ProviderSpecs.Benchmarking.Metrics;

/// <summary>Summary of one metric's distribution, labelled with its unit and the definition it uses.</summary>
public sealed record Distribution(
    string Metric,
    string Unit,
    string Definition,
    long Count,
    double Min,
    double Mean,
    double P50,
    double P90,
    double P95,
    double P99,
    double P999,
    double Max)
{
    /// <summary>The value of one summary statistic.</summary>
    public double ValueOf(Percentile percentile) => percentile switch
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
}
