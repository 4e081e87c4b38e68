using System.Globalization;
using System.Text.RegularExpressions;
using ProviderSpecs.Benchmarking.Budgets;
using ProviderSpecs.Benchmarking.Metrics;

namespace ProviderSpecs.Drivers.Support;

/// <summary>
/// The reader's words for the performance figures, as the features write them ("the 95th-percentile time to the first
/// word stays under half a second"), turned into the benchmark framework's terms (a <see cref="LatencyBudget"/> of P95
/// TTFT &lt; 500 ms). The glossary defines each phrase; a phrase not listed here fails naming the ones that are.
/// </summary>
public static partial class FigureWording
{
    /// <summary>The statistics a feature can name: "median", "90th-percentile", "95th-percentile", "99th-percentile".</summary>
    public static Percentile Statistic(string words) => words.Trim().ToLowerInvariant() switch
    {
        "median" => Percentile.P50,
        "90th-percentile" => Percentile.P90,
        "95th-percentile" => Percentile.P95,
        "99th-percentile" => Percentile.P99,
        _ => throw new FormatException($"'{words}' is not a statistic the features name: write median, 90th-percentile, 95th-percentile or 99th-percentile."),
    };

    /// <summary>The latency figures a feature can name.</summary>
    public static Metric Figure(string words) => words.Trim().ToLowerInvariant() switch
    {
        "time to the first word" => Metric.Ttft,
        "time per further token" => Metric.Tpot,
        "time to the complete answer" => Metric.EndToEnd,
        _ => throw new FormatException($"'{words}' is not a figure the features name: write time to the first word, time per further token or time to the complete answer."),
    };

    /// <summary>
    /// A duration in words: "half a second", "a quarter of a second", "a second", "1.5 seconds", "250 ms",
    /// "2.5 milliseconds".
    /// </summary>
    public static TimeSpan Duration(string words)
    {
        var text = words.Trim().ToLowerInvariant();
        switch (text)
        {
            case "half a second": return TimeSpan.FromMilliseconds(500);
            case "a quarter of a second": return TimeSpan.FromMilliseconds(250);
            case "a second": return TimeSpan.FromSeconds(1);
        }
        var match = DurationPattern().Match(text);
        if (!match.Success)
            throw new FormatException($"'{words}' is not a duration the features write: use half a second, a quarter of a second, a second, '<n> seconds' or '<n> ms'.");
        var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value is "ms" or "millisecond" or "milliseconds" ? TimeSpan.FromMilliseconds(value) : TimeSpan.FromSeconds(value);
    }

    /// <summary>A budget in the reader's words: the statistic of the figure stays under the limit.</summary>
    public static LatencyBudget Budget(string statistic, string figure, string limit) =>
        new(Figure(figure), Statistic(statistic), Duration(limit), Comparison.LessThan);

    /// <summary>"1 in 20" → 0.05.</summary>
    public static double Share(int count, int outOf) =>
        count >= 0 && outOf > 0 && count <= outOf ? (double)count / outOf
            : throw new FormatException($"'{count} in {outOf}' is not a share: give a count from 0 to the whole, e.g. 1 in 20.");

    /// <summary>Milliseconds as the reader reads them: "173 ms", "2.47 ms", "1.2 s".</summary>
    public static string Ms(double milliseconds) => milliseconds >= 1000
        ? (milliseconds / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s"
        : milliseconds.ToString(milliseconds >= 100 ? "0" : milliseconds >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " ms";

    [GeneratedRegex(@"^(?<value>\d+(\.\d+)?)\s*(?<unit>ms|milliseconds?|s|seconds?)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
