using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

/// <summary>
/// Workers' output folders as bench writes them, with chosen samples: a real runner result as the template (so every
/// field is as bench fills it), its histograms replaced by the given values, written by <see cref="BenchmarkReport.WriteAll"/>.
/// </summary>
internal static class MergeFixtures
{
    private static ScenarioResult? _template;

    public static async Task<ScenarioResult> TemplateAsync()
    {
        if (_template is not null) return _template;
        var target = new DelegateTarget("groq", "llama-3.1-8b-instant", (ctx, _) =>
        {
            ctx.MarkChunk();
            ctx.MarkChunk();
            return ValueTask.FromResult(RequestOutcome.Success(2));
        });
        return _template = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 4, WarmupRequests = 1, KeepHistograms = true });
    }

    public static BenchmarkPlan Plan(int workers, int seedFamily = 42, string requests = "400") => new()
    {
        Workers = workers,
        SeedFamily = seedFamily,
        Settings = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["--requests"] = requests, ["--concurrency"] = "2" },
    };

    /// <summary>
    /// A worker whose every scenario records <paramref name="ttftMicroseconds"/> as TTFT and E2E (+1 ms) and 1 attempt each,
    /// and <paramref name="failures"/> failed requests; written to a new folder, whose path is returned.
    /// </summary>
    public static async Task<string> WriteWorkerAsync(string root, int index, BenchmarkPlan plan, IReadOnlyList<long> ttftMicroseconds,
        int failures = 0, string? label = null, int scenarios = 1, int? seed = null, DateTimeOffset? startedAt = null, double? startSpreadSeconds = null,
        bool requestLog = false)
    {
        var template = await TemplateAsync();
        var results = new List<ScenarioResult>();
        for (var s = 0; s < scenarios; s++)
        {
            var histograms = new ScenarioHistograms();
            foreach (var value in ttftMicroseconds)
            {
                histograms[RecordedMetrics.Ttft].Record(value + s);
                histograms[RecordedMetrics.EndToEnd].Record(value + s + 1000);
                histograms[RecordedMetrics.Attempts].Record(1);
            }
            for (var f = 0; f < failures; f++) histograms[RecordedMetrics.Attempts].Record(3);
            var start = (startedAt ?? new DateTimeOffset(2026, 1, 2, 8, 0, 0, TimeSpan.Zero)).AddSeconds(index);
            var scenario = template with
            {
                Model = s == 0 ? template.Model : $"{template.Model}-{s}",
                Started = ttftMicroseconds.Count + failures,
                Succeeded = ttftMicroseconds.Count,
                Failed = failures,
                ErrorsByKey = failures == 0 ? new Dictionary<string, int>() : new Dictionary<string, int> { ["rate-limited"] = failures },
                ElapsedSeconds = 10,
                StartedAt = start,
                StartSpreadSeconds = startSpreadSeconds ?? template.StartSpreadSeconds,
                RequestsPerSecond = new Rate(ttftMicroseconds.Count == 0 ? null : ttftMicroseconds.Count / 10.0, "req/s", MetricDefinitions.RequestsPerSecond),
                OutputTokensPerSecond = new Rate(ttftMicroseconds.Count == 0 ? null : ttftMicroseconds.Count / 5.0, "tok/s", MetricDefinitions.OutputTokensPerSecond),
                ErrorRate = new Rate(ttftMicroseconds.Count + failures == 0 ? null : (double)failures / (ttftMicroseconds.Count + failures), "ratio", MetricDefinitions.ErrorRate),
                // With a request log: a record per request, the successes first (their TTFTs), then the failures.
                Requests = requestLog ? [.. ttftMicroseconds.Select((t, i) => Record(i, succeeded: true, t + s)), .. Enumerable.Range(0, failures).Select(f => Record(ttftMicroseconds.Count + f, succeeded: false, 0))] : null,
            };
            results.Add(histograms.ApplyTo(scenario));
        }
        var document = new BenchmarkDocument
        {
            Metadata = RunMetadata.Capture("simulated", seed ?? WorkerShare.Seed(plan.SeedFamily ?? 0, index)) with
            {
                Worker = new WorkerIdentity(index, plan.Workers, label, seed ?? WorkerShare.Seed(plan.SeedFamily ?? 0, index)),
                Machine = $"machine-{index}",
            },
            Scenarios = results,
            Plan = plan,
        };
        var folder = Path.Combine(root, $"worker-{index}");
        BenchmarkReport.WriteAll(document, folder);
        return folder;
    }

    private static RequestRecord Record(int index, bool succeeded, long ttftMicroseconds) => new()
    {
        Index = index,
        StartSeconds = index * 0.5,
        Succeeded = succeeded,
        StatusCode = succeeded ? 200 : 429,
        Error = succeeded ? null : "rate-limited",
        EndToEndMs = succeeded ? (ttftMicroseconds + 1000) / 1000.0 : 2.5,
        TtftMs = succeeded ? ttftMicroseconds / 1000.0 : null,
        OutputTokens = succeeded ? 1 : 0,
        ChunksMs = succeeded ? [ttftMicroseconds / 1000.0] : [],
        Attempts = succeeded ? 1 : 3,
        RateLimitedResponses = succeeded ? 0 : 1,
    };

    public static string NewRoot(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "providerspecs-merge-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static BenchmarkDocument Merge(params string[] folders) => BenchmarkMerge.Merge(folders.Select(WorkerOutput.Load).ToList());
}
