using System.Diagnostics;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Tests;

/// <summary>
/// What <c>bench merge</c> costs per million recorded requests: 4 workers × 2 scenarios with every metric recorded as a
/// streamed run records it (TTFT, E2E, TPOT, 8 chunk gaps, tokens/s, queue time, attempts, measured − served). Prints
/// figures; a benchmark, not a timed assertion. Set MERGE_COST_DIR to keep the workers' folders for a CLI run
/// (<c>providerspecs bench merge $MERGE_COST_DIR/workers --out … --json</c>).
/// </summary>
public sealed class MergeCostBenchmark
{
    [Explicit("benchmark: prints numbers")]
    [TestCase(10_000)]
    [TestCase(1_000_000)]
    public async Task Merge_cost_per_million_recorded_requests(int totalRequests)
    {
        const int workers = 4, scenarios = 2;
        var root = Environment.GetEnvironmentVariable("MERGE_COST_DIR") is { Length: > 0 } kept
            ? Path.Combine(kept, totalRequests.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : MergeFixtures.NewRoot("cost");
        var plan = MergeFixtures.Plan(workers);
        var template = await MergeFixtures.TemplateAsync();
        var perScenario = totalRequests / workers / scenarios;
        var folders = new List<string>();
        var generate = Stopwatch.StartNew();
        for (var w = 0; w < workers; w++)
        {
            var random = new Random(w);
            long Tail(long floor, long spread) => floor + (long)(spread * Math.Pow(random.NextDouble(), 4));
            var results = new List<ScenarioResult>();
            for (var s = 0; s < scenarios; s++)
            {
                var h = new ScenarioHistograms();
                for (var r = 0; r < perScenario; r++)
                {
                    var ttft = Tail(80_000, 3_000_000);
                    h[RecordedMetrics.Ttft].Record(ttft);
                    h[RecordedMetrics.EndToEnd].Record(ttft + Tail(100_000, 2_000_000));
                    h[RecordedMetrics.Tpot].Record(Tail(2_000, 40_000));
                    for (var c = 0; c < 8; c++) h[RecordedMetrics.InterTokenLatency].Record(Tail(500, 60_000));
                    h[RecordedMetrics.OutputTokensPerSecondPerRequest].Record(Tail(50_000, 900_000));
                    h[RecordedMetrics.QueueTime].Record(Tail(1_000, 200_000));
                    h[RecordedMetrics.Attempts].Record(1 + (random.Next(50) == 0 ? 1 : 0));
                    h[RecordedMetrics.TtftError].Record(Tail(100, 5_000));
                }
                results.Add(h.ApplyTo(template with
                {
                    Model = $"{template.Model}-{s}",
                    Started = perScenario, Succeeded = perScenario, Failed = 0,
                    ErrorsByKey = new Dictionary<string, int>(),
                    ElapsedSeconds = 600,
                    StartedAt = new DateTimeOffset(2026, 1, 2, 8, 0, 0, TimeSpan.Zero).AddSeconds(w),
                }));
            }
            var document = new BenchmarkDocument
            {
                Metadata = RunMetadata.Capture("simulated", WorkerShare.Seed(42, w)) with { Worker = new WorkerIdentity(w, workers, $"region-{w % 2}", WorkerShare.Seed(42, w)) },
                Scenarios = results,
                Plan = plan,
            };
            var folder = Path.Combine(root, "workers", $"worker-{w}");
            BenchmarkReport.WriteAll(document, folder);
            folders.Add(folder);
        }
        generate.Stop();

        var timings = new List<double>();
        BenchmarkDocument? merged = null;
        for (var turn = 0; turn < 4; turn++) // the first turn warms the JIT up and is not counted
        {
            var output = Path.Combine(root, $"merged-{turn}");
            var clock = Stopwatch.StartNew();
            merged = BenchmarkMerge.Merge(folders.Select(WorkerOutput.Load).ToList());
            BenchmarkReport.WriteAll(merged, output);
            clock.Stop();
            if (turn > 0) timings.Add(clock.Elapsed.TotalSeconds);
        }
        var recorded = merged!.Scenarios.Sum(s => (long)s.Started);
        recorded.ShouldBe(perScenario * (long)workers * scenarios);
        merged.Scenarios[0].InterTokenLatency.Count.ShouldBe(8L * perScenario * workers);
        var median = timings.Order().ElementAt(timings.Count / 2);
        var bytes = folders.Sum(f => new DirectoryInfo(f).EnumerateFiles().Sum(file => file.Length));
        TestContext.Out.WriteLine(FormattableString.Invariant(
            $"{workers} workers × {scenarios} scenarios, {recorded:N0} recorded requests ({bytes / 1024.0:0} KiB of worker output, generated in {generate.Elapsed.TotalSeconds:0.0} s): load + merge + write {median * 1000:0} ms median of {string.Join(", ", timings.Select(t => $"{t * 1000:0}"))} ms = {median / recorded * 1_000_000:0.000} s per million recorded requests. Folders: {root}"));
    }
}
