using System.Text.Json;

namespace ProviderSpecs.LivingDoc;

/// <summary>A percentile pair of one latency or throughput distribution, with the definition the benchmark recorded for it.</summary>
/// <remarks>An empty distribution (no successful request) has null percentiles: not measured, never 0.</remarks>
internal sealed record Percentiles(double? P50, double? P95, long Count, string? Definition, string? Unit)
{
    public bool IsEmpty => Count == 0 || P50 is null;
}

/// <summary>One measured run of one provider/model, read from a <c>benchmark-results.json</c> (a scenario or a sweep point).</summary>
internal sealed record BenchmarkRunFigures(
    string SourceFile,
    string Target,
    string Provider,
    string Model,
    string? Load,
    bool Streamed,
    int Started,
    int Failed,
    int RateLimitedResponses,
    Percentiles Ttft,
    Percentiles? Tpot,
    Percentiles? PerRequestTokensPerSecond,
    double? RunTokensPerSecond,
    string? RunTokensPerSecondDefinition,
    IReadOnlyList<string>? Conditions = null);

/// <summary>
/// What a target's benchmarks say about one provider/model. Only clean runs count: no condition imposed on purpose
/// (a run the benchmark marks with `conditions`, e.g. a profile slowed ×2), streamed (so the time to first token is a
/// real first token), at least one success, and no 429 responses (a rate-limit burst inflates latency by design). Each figure is the median over those runs of the run's own percentile, so one deliberately slowed run
/// among many does not decide a recommendation.
/// </summary>
internal sealed record ModelFigures(
    string Target,
    string Provider,
    string Model,
    IReadOnlyList<BenchmarkRunFigures> Runs,
    double TtftP50,
    double TtftP95,
    double? TpotP50,
    double? TokensPerSecondP50,
    BenchmarkRunFigures? PeakThroughputRun,
    int Started,
    int Failed,
    IReadOnlyList<string> SourceFiles)
{
    public double ErrorRate => Started == 0 ? 0 : (double)Failed / Started;
    public string Key => $"{Provider}/{Model}";
    public string? LoadRange
    {
        get
        {
            var loads = Runs.Select(r => r.Load).Where(l => l is not null).Distinct(StringComparer.Ordinal).ToList();
            return loads.Count switch { 0 => null, 1 => loads[0], _ => $"{loads.Count} load points" };
        }
    }
}

/// <summary>Every benchmark result read for the document, grouped per target.</summary>
internal sealed record BenchmarkFigures(IReadOnlyList<BenchmarkRunFigures> Runs, IReadOnlyList<string> Files)
{
    public static readonly BenchmarkFigures None = new([], []);

    public const string FileName = "benchmark-results.json";

    /// <summary>The targets in display order: simulated first, then live, then anything else.</summary>
    public IReadOnlyList<string> Targets =>
        Runs.Select(r => r.Target).Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(t => t.Equals("simulated", StringComparison.OrdinalIgnoreCase) ? 0 : t.Equals("live", StringComparison.OrdinalIgnoreCase) ? 1 : 2)
            .ThenBy(t => t, StringComparer.Ordinal).ToList();

    /// <summary>Per provider/model of one target, the figures of its clean runs; models without a clean run are left out.</summary>
    public IReadOnlyList<ModelFigures> ForTarget(string target) =>
        Runs.Where(r => r.Target.Equals(target, StringComparison.OrdinalIgnoreCase))
            .GroupBy(r => (r.Provider, r.Model))
            .Select(g => Summarise(target, g.Key.Provider, g.Key.Model, g.Where(IsClean).ToList()))
            .OfType<ModelFigures>()
            .OrderBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal).ToList();

    /// <summary>Runs left out of the figures of a target, and why (shown under the comparison so the reader can check).</summary>
    public (int NotStreamed, int RateLimited, int NoSuccess) Excluded(string target)
    {
        var runs = Runs.Where(r => r.Target.Equals(target, StringComparison.OrdinalIgnoreCase)).ToList();
        return (runs.Count(r => !r.Streamed), runs.Count(r => r.Streamed && r.RateLimitedResponses > 0),
            runs.Count(r => r.Streamed && r.RateLimitedResponses == 0 && r.Started - r.Failed <= 0));
    }

    // Only runs that measured something count: a run whose requests all failed has no figure to recommend on.
    internal static bool IsClean(BenchmarkRunFigures run) => run.Conditions is not { Count: > 0 } && run.Streamed && run.RateLimitedResponses == 0 && run.Started - run.Failed > 0 && !run.Ttft.IsEmpty;

    private static ModelFigures? Summarise(string target, string provider, string model, List<BenchmarkRunFigures> runs)
    {
        if (runs.Count == 0) return null;
        return new ModelFigures(target, provider, model, runs,
            Median(runs.Select(r => r.Ttft.P50))!.Value,
            Median(runs.Select(r => r.Ttft.P95))!.Value,
            Median(runs.Where(r => r.Tpot is { IsEmpty: false }).Select(r => r.Tpot!.P50)),
            Median(runs.Where(r => r.PerRequestTokensPerSecond is { IsEmpty: false }).Select(r => r.PerRequestTokensPerSecond!.P50)),
            runs.Where(r => r.RunTokensPerSecond is not null).OrderByDescending(r => r.RunTokensPerSecond).FirstOrDefault(),
            runs.Sum(r => r.Started), runs.Sum(r => r.Failed),
            runs.Select(r => r.SourceFile).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>The median of the measured values; null when none was measured (a missing value is left out, never read as 0).</summary>
    internal static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToList();
        if (sorted.Count == 0) return null;
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Reads every <c>benchmark-results.json</c> under the folder as data: unknown fields are ignored, a file or run
    /// that lacks what the figures need is reported and left out, never fatal.</summary>
    public static BenchmarkFigures Read(string? directory, List<LivingDocProblem> problems)
    {
        if (directory is null || !Directory.Exists(directory)) return None;
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path).Equals(FileName, StringComparison.OrdinalIgnoreCase))
            .Select(path => (path, relative: Path.GetRelativePath(directory, path).Replace('\\', '/')))
            .OrderBy(f => f.relative, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            problems.Add(new(directory, $"No {FileName} under the benchmarks folder, so the recommendations from measured figures and the provider comparison are left out. Run the benchmarks (`providerspecs bench --out reports/benchmarks`, or the @performance_benchmarks features) and generate again."));
            return None;
        }
        var runs = new List<BenchmarkRunFigures>();
        var read = new List<string>();
        foreach (var (path, relative) in files)
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new FormatException("the file is not a JSON object");
                if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var schema))
                    throw new FormatException("it has no numeric schemaVersion, so it was not written by the benchmark framework");
                if (schema != 1)
                    throw new FormatException($"it has schemaVersion {schema}; this document reads schemaVersion 1. Regenerate the benchmark results or update the living doc");
                var target = Str(Obj(root, "metadata"), "target") ?? "unknown";
                var skipped = 0;
                var scenarios = Items(root, "scenarios").Concat(Items(root, "sweeps").SelectMany(sweep => Items(sweep, "points")));
                foreach (var scenario in scenarios)
                {
                    if (ReadRun(scenario, relative, target) is { } run) runs.Add(run);
                    else skipped++;
                }
                if (skipped > 0)
                    problems.Add(new(relative, $"{skipped} benchmark run(s) lack provider, model or a TTFT distribution (p50, p95, count) and are left out of the recommendations."));
                read.Add(relative);
            }
            catch (Exception e) when (e is JsonException or FormatException or IOException or UnauthorizedAccessException)
            {
                problems.Add(new(relative, $"The benchmark results could not be read ({(e is JsonException ? "not valid JSON: " : "")}{e.Message.TrimEnd('.')}); its figures are left out of the recommendations and the provider comparison."));
            }
        }
        return new BenchmarkFigures(runs, read);
    }

    private static BenchmarkRunFigures? ReadRun(JsonElement scenario, string file, string target)
    {
        if (Str(scenario, "provider") is not { Length: > 0 } provider || Str(scenario, "model") is not { Length: > 0 } model) return null;
        if (Dist(scenario, "ttft") is not { } ttft) return null;
        var started = Int(scenario, "started") ?? (int)ttft.Count;
        var interToken = Dist(scenario, "interTokenLatency");
        var tpot = Dist(scenario, "tpot");
        var throughput = Obj(scenario, "outputTokensPerSecond");
        return new BenchmarkRunFigures(file, target, provider, model, Str(Obj(scenario, "load"), "description"),
            Streamed: (interToken?.Count ?? 0) > 0 || (tpot?.Count ?? 0) > 0 && tpot!.P50 > 0,
            started, Int(scenario, "failed") ?? 0, Int(scenario, "rateLimitedResponses") ?? 0,
            ttft, tpot, Dist(scenario, "outputTokensPerSecondPerRequest"), Num(throughput, "value"), Str(throughput, "definition"),
            Conditions(scenario));
    }

    /// <summary>What the benchmark deliberately imposed on the run (<c>conditions</c>, optional in schema version 1).</summary>
    private static IReadOnlyList<string> Conditions(JsonElement scenario) =>
        scenario.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array
            ? conditions.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!).ToList()
            : [];

    private static Percentiles? Dist(JsonElement parent, string name)
    {
        var element = Obj(parent, name);
        if (element.ValueKind != JsonValueKind.Object) return null;
        var count = element.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var n) ? n : (long?)null;
        // An empty distribution (no successful request) is there with nothing in it: null percentiles (older files wrote
        // 0 or NaN for them), never a figure.
        if (count == 0) return new Percentiles(null, null, 0, Str(element, "definition"), Str(element, "unit"));
        if (Num(element, "p50") is not { } p50 || Num(element, "p95") is not { } p95) return null;
        return new Percentiles(p50, p95, count ?? 1, Str(element, "definition"), Str(element, "unit"));
    }

    private static JsonElement Obj(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;

    private static IEnumerable<JsonElement> Items(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object).ToList()
            : [];

    private static string? Str(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Num(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var number) && double.IsFinite(number) ? number : null;

    private static int? Int(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
