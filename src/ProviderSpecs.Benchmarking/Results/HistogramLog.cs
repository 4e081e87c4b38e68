using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HdrHistogram;
using ProviderSpecs.Benchmarking.Metrics;

namespace ProviderSpecs.Benchmarking.Results;

/// <summary>
/// Every metric's histogram of a run in HdrHistogram's standard interval-log format (<see cref="HistogramLogWriter"/>,
/// log format 1.3), one interval per scenario and metric, tagged <c>s{index}:{provider}/{model}:{load}:{metric}</c> —
/// any HdrHistogram tool reads it (e.g. HistogramLogProcessor with <c>-tag</c>). Values are in each metric's recorded
/// unit (microseconds for latencies), exactly as <see cref="MetricHistogram"/> recorded them, so logs add exactly.
/// </summary>
public static partial class HistogramLog
{
    public const string FileName = "benchmark-histograms.hlog";

    /// <summary>The tag of one scenario's metric: scenario index first, metric key last; no comma or whitespace (the format's separators).</summary>
    public static string Tag(int scenarioIndex, ScenarioResult scenario, RecordedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(metric);
        return FormattableString.Invariant($"s{scenarioIndex}:{Clean(scenario.Provider)}/{Clean(scenario.Model)}:{Clean(scenario.Load.Description)}:{metric.Key}");
    }

    /// <summary>Reads a tag back into its scenario index and metric; null when bench did not write it.</summary>
    public static (int Scenario, RecordedMetric Metric)? ParseTag(string? tag)
    {
        if (tag is null || TagPattern().Match(tag) is not { Success: true } match) return null;
        return RecordedMetrics.Find(match.Groups["metric"].Value) is { } metric
               && int.TryParse(match.Groups["scenario"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? (index, metric) : null;
    }

    /// <summary>
    /// Writes the histograms of every scenario that carries them (<see cref="ScenarioResult.Histograms"/>), skipping empty
    /// ones (the results file says which metrics recorded nothing). Returns false, writing nothing, when no scenario does.
    /// </summary>
    public static bool Write(BenchmarkDocument document, string path)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Scenarios.All(s => s.Histograms is null)) return false;
        var entries = new List<HistogramBase>();
        for (var i = 0; i < document.Scenarios.Count; i++)
        {
            var scenario = document.Scenarios[i];
            if (scenario.Histograms is not { } histograms) continue;
            var start = scenario.StartedAt ?? document.Metadata.StartedAt;
            var end = start + TimeSpan.FromSeconds(scenario.ElapsedSeconds);
            foreach (var metric in RecordedMetrics.All.Where(m => histograms[m].Count > 0))
                entries.Add(histograms[metric].ToLogEntry(Tag(i, scenario, metric), start, end));
        }
        var logStart = document.Scenarios.Select(s => s.StartedAt ?? document.Metadata.StartedAt).Min().UtcDateTime;

        using var utf16 = new MemoryStream();
        InvariantCulture(() =>
        {
            using var writer = new HistogramLogWriter(utf16);
            writer.Write(logStart, [.. entries]);
        });
        // HdrHistogram.NET writes UTF-16 with a byte-order mark; the Java, Go and Python readers expect ASCII, so the same
        // text is stored as UTF-8 (ASCII for ASCII model names; the rest is digits and base64).
        var text = Encoding.Unicode.GetString(utf16.ToArray()).TrimStart('\uFEFF');
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return true;
    }

    /// <summary>Reads an interval log bench wrote: each scenario's histograms by scenario index and metric key.</summary>
    public static IReadOnlyDictionary<(int Scenario, string Metric), HistogramBase> Read(string path)
    {
        var result = new Dictionary<(int, string), HistogramBase>();
        InvariantCulture(() =>
        {
            using var stream = File.OpenRead(path);
            using var reader = new HistogramLogReader(stream);
            try
            {
                foreach (var histogram in reader.ReadHistograms())
                {
                    if (ParseTag(histogram.Tag) is not { } key)
                        throw new InvalidDataException($"it holds a histogram tagged '{histogram.Tag ?? "(none)"}', which bench does not write (s{{index}}:…:{{metric}}).");
                    if (!result.TryAdd((key.Scenario, key.Metric.Key), histogram))
                        throw new InvalidDataException($"it holds two histograms tagged '{histogram.Tag}'.");
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or IndexOutOfRangeException)
            {
                throw new InvalidDataException($"it is not a readable HdrHistogram interval log ({e.Message.TrimEnd('.')}).", e);
            }
        });
        return result;
    }

    // HdrHistogram.NET formats and parses the log's numbers with the current culture; the format is culture-invariant.
    private static void InvariantCulture(Action action)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            action();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static string Clean(string text) => WhitespaceOrComma().Replace(text, "_");

    [GeneratedRegex(@"[\s,]+")]
    private static partial Regex WhitespaceOrComma();

    [GeneratedRegex(@"^s(?<scenario>\d+):.*:(?<metric>[a-z0-9-]+)$")]
    private static partial Regex TagPattern();
}
