using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HdrHistogram;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Cli.Tests;

/// <summary>
/// <c>bench --workers 4</c> as four separate processes (as four pods of a Kubernetes Indexed Job would run it), each
/// against its own simulators on loopback, then <c>bench merge</c> over their outputs.
/// </summary>
[NonParallelizable] // four child processes on a small machine: not beside other load
public sealed class BenchWorkersTests
{
    private const int Workers = 4;
    private const int Requests = 42; // 11, 11, 10, 10: an uneven split
    private static readonly string[] Labels = ["eu-west-1", "eu-west-1", "us-east-1", "us-east-1"];

    private string _root = "";
    private string _merged = "";
    private CliRun _merge = null!;
    private readonly List<string> _workerFolders = [];

    [OneTimeSetUp]
    public async Task Four_worker_processes_run_in_parallel_and_are_merged()
    {
        _root = CliHarness.TempDirectory("workers");
        var workers = Enumerable.Range(0, Workers).Select(i => RunWorkerAsync(i, Path.Combine(_root, "results", $"worker-{i}"))).ToList();
        var outcomes = await Task.WhenAll(workers);
        foreach (var (code, output, errors, folder) in outcomes)
        {
            code.ShouldBe(0, $"a worker failed:\n{output}\n{errors}");
            _workerFolders.Add(folder);
        }
        _merged = Path.Combine(_root, "merged");
        // The folder that holds the workers' folders, as collected from the Job's volume.
        _merge = await CliHarness.RunAsync(["bench", "merge", Path.Combine(_root, "results"), "--out", _merged, "--json"]);
        _merge.ExitCode.ShouldBe(0, _merge.ToString());
    }

    /// <summary>One worker in its own process: workers 0–2 take their index from JOB_COMPLETION_INDEX (as in the Job), worker 3 from --worker-index.</summary>
    private static async Task<(int Code, string Output, string Errors, string Folder)> RunWorkerAsync(int index, string folder)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = CliHarness.TempDirectory($"worker-{index}"),
        };
        string[] args = [Path.Combine(AppContext.BaseDirectory, "providerspecs.dll"), "bench", "--provider", "groq", "--requests", Requests.ToString(CultureInfo.InvariantCulture),
            "--concurrency", "2", "--warmup", "1", "--time-scale", "0.1", "--max-tokens", "8", "--workers", Workers.ToString(CultureInfo.InvariantCulture),
            "--label", Labels[index], "--out", folder, "--json"];
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (index == Workers - 1) { start.ArgumentList.Add("--worker-index"); start.ArgumentList.Add(index.ToString(CultureInfo.InvariantCulture)); }
        // No key reaches the children (simulated runs need none); the index comes as a Kubernetes Indexed Job gives it.
        foreach (var name in new[] { "GROQ_API_KEY", "TOGETHER_API_KEY", "GROQ_BASE_URL", "TOGETHER_BASE_URL", "JOB_COMPLETION_INDEX" }) start.Environment.Remove(name);
        if (index < Workers - 1) start.Environment["JOB_COMPLETION_INDEX"] = index.ToString(CultureInfo.InvariantCulture);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bench did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await errors, folder);
    }

    /// <summary>Every TTFT or E2E histogram of one interval log, read with HdrHistogram's own reader (not the benchmark's code).</summary>
    private static List<HistogramBase> ReadLog(string folder, string metric)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            using var stream = File.OpenRead(Path.Combine(folder, HistogramLog.FileName));
            using var reader = new HistogramLogReader(stream);
            return reader.ReadHistograms().Where(h => h.Tag?.Split(':')[^1] == metric).ToList();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Test]
    public void Each_worker_ran_its_share_of_the_requests_with_its_own_identity()
    {
        var documents = _workerFolders.Select(f => BenchmarkDocument.Load(Path.Combine(f, BenchmarkDocument.FileName))).ToList();
        documents.Select(d => d.Metadata.Worker!.Index).ShouldBe([0, 1, 2, 3], "workers 0–2 from JOB_COMPLETION_INDEX, worker 3 from --worker-index");
        documents.Select(d => d.Scenarios.Single().Started).ShouldBe([11, 11, 10, 10]);
        documents.Select(d => d.Metadata.Worker!.Label).ShouldBe(Labels);
        documents.Select(d => d.Metadata.Worker!.Seed).ShouldBe([42, 43, 44, 45], "seed family 42, plus the index");
        documents.ShouldAllBe(d => d.Plan!.Workers == Workers && d.Plan.Settings["--requests"] == "42");
    }

    [Test]
    public void Merged_percentiles_equal_those_of_one_histogram_over_every_workers_requests()
    {
        var merged = BenchmarkDocument.Load(Path.Combine(_merged, BenchmarkDocument.FileName));
        var scenario = merged.Scenarios.Single();
        (scenario.Started, scenario.Succeeded).ShouldBe((Requests, Requests));

        foreach (var (metric, distribution) in new[] { ("ttft", scenario.Ttft), ("e2e", scenario.EndToEnd) })
        {
            // Computed here, independently: every worker's log, added into one histogram of the same range and precision.
            var logs = _workerFolders.SelectMany(f => ReadLog(f, metric)).ToList();
            logs.Count.ShouldBe(Workers, $"one {metric} histogram per worker");
            var one = new LongHistogram(MetricHistogram.HighestTrackableValue, MetricHistogram.SignificantDigits);
            foreach (var log in logs) one.Add(log);
            one.TotalCount.ShouldBe(Requests);
            distribution.Count.ShouldBe(one.TotalCount);

            foreach (var (percentile, value) in new[] { (50.0, distribution.P50), (90.0, distribution.P90), (95.0, distribution.P95), (99.0, distribution.P99), (99.9, distribution.P999) })
            {
                var expected = one.GetValueAtPercentile(percentile);
                var mergedMicroseconds = (long)Math.Round(value!.Value * 1000);
                // Equal to HdrHistogram's precision: the same bucket (3 significant digits).
                one.LowestEquivalentValue(mergedMicroseconds).ShouldBe(one.LowestEquivalentValue(expected),
                    $"{metric} P{percentile}: merged {value} ms, one histogram over all {Requests} requests {expected / 1000.0} ms");
            }

            // The merged interval log is that same sum.
            var mergedLog = ReadLog(_merged, metric).Single();
            mergedLog.TotalCount.ShouldBe(Requests);
            mergedLog.GetValueAtPercentile(99).ShouldBe(one.GetValueAtPercentile(99));
        }
    }

    [Test]
    public void The_merge_names_every_worker_and_its_region_in_the_report_and_its_summary()
    {
        using var json = JsonDocument.Parse(_merge.Output);
        json.RootElement.GetProperty("recordedRequests").GetInt64().ShouldBe(Requests);
        json.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("label").GetString()).ShouldBe(Labels);
        var perWorker = json.RootElement.GetProperty("scenarios")[0].GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("started").GetInt32());
        perWorker.ShouldBe([11, 11, 10, 10]);

        var report = File.ReadAllText(Path.Combine(_merged, "benchmark-report.md"));
        report.ShouldContain("| Merged from | 4 workers: 0 eu-west-1 (");
        report.ShouldContain("| 3 | us-east-1 |");
        File.Exists(Path.Combine(_merged, "latency-percentiles-ttft.svg")).ShouldBeTrue();
    }

    [Test]
    public async Task The_living_doc_reads_a_merged_result_like_any_other()
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Specs.sln"))) repository = repository.Parent;
        repository.ShouldNotBeNull("the repository root (Specs.sln) was not found above the test folder");
        var html = Path.Combine(_root, "living-doc.html");

        var run = await CliHarness.RunAsync(["livingdoc", "--features", Path.Combine(repository.FullName, "features"), "--no-runs", "--benchmarks", _merged, "--out", html, "--json"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.ToString())
            .ShouldNotContain(p => p.Contains("benchmark", StringComparison.OrdinalIgnoreCase), "the merged result is read without a problem");
        var page = File.ReadAllText(html);
        var p50 = BenchmarkDocument.Load(Path.Combine(_merged, BenchmarkDocument.FileName)).Scenarios.Single().Ttft.P50!.Value;
        page.ShouldContain($"1 clean run, {Requests} requests", Case.Sensitive, "the merged run counts as one run of all the workers' requests");
        page.ShouldContain(p50.ToString(p50 >= 100 ? "N0" : p50 >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " ms");
    }

    [Test]
    public async Task Outputs_of_another_plan_are_refused_naming_the_option_that_differs()
    {
        // Worker 3 again, in-process, with one option changed: its output cannot join the other three.
        var other = Path.Combine(_root, "other-plan");
        var run = await CliHarness.RunAsync(["bench", "--provider", "groq", "--requests", "42", "--concurrency", "2", "--warmup", "1", "--time-scale", "0.1",
            "--max-tokens", "16", "--workers", "4", "--worker-index", "3", "--out", Path.Combine(other, "worker-3"), "--json"]);
        run.ExitCode.ShouldBe(0, run.ToString());

        var merge = await CliHarness.RunAsync(["bench", "merge", _workerFolders[0], _workerFolders[1], _workerFolders[2], Path.Combine(other, "worker-3"),
            "--out", Path.Combine(_root, "refused"), "--json"]);

        merge.ExitCode.ShouldNotBe(0, merge.ToString());
        merge.All.ShouldContain("the workers ran different plans");
        merge.All.ShouldContain("ran --max-tokens 16 but");
        Directory.Exists(Path.Combine(_root, "refused")).ShouldBeFalse("a refused merge writes nothing");
    }

    [Test]
    public async Task A_live_worker_spends_at_most_its_share_of_the_budget()
    {
        // "Live" is the simulated Groq behind GROQ_BASE_URL. --max-requests 10 over 4 workers: shares 3, 3, 2, 2.
        await using var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq], TimeScale = 0.1 });
        var scope = simulators["groq"].OpenScope("worker budget");
        var variables = new Dictionary<string, string> { ["GROQ_API_KEY"] = scope.ApiKey, ["GROQ_BASE_URL"] = simulators["groq"].BaseUrl.ToString() };
        string[] Args(int index, int requests, string outDir) =>
            ["bench", "--live", "--provider", "groq", "--requests", requests.ToString(CultureInfo.InvariantCulture), "--concurrency", "1", "--warmup", "1",
             "--max-requests", "10", "--max-tokens", "8", "--workers", "4", "--worker-index", index.ToString(CultureInfo.InvariantCulture), "--out", outDir, "--json"];

        // Worker 3: 2 of 8 measured + 1 warm-up = 3 requests, more than its share of 2: refused before it sends anything.
        var refused = await CliHarness.RunAsync(Args(3, 8, CliHarness.TempDirectory("budget-refused")), variables);
        refused.ExitCode.ShouldNotBe(0, refused.ToString());
        refused.All.ShouldContain("worker 3 of 4 needs 3 requests");
        refused.All.ShouldContain("its share of --max-requests 10 is 2");
        scope.Requests.Count.ShouldBe(0);

        // Worker 0 of the same plan: 2 of 8 measured + 1 warm-up = 3, exactly its share of 3.
        var run = await CliHarness.RunAsync(Args(0, 8, CliHarness.TempDirectory("budget-share")), variables);
        run.ExitCode.ShouldBe(0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("budget").GetProperty("maxRequests").GetInt64().ShouldBe(3);
        json.RootElement.GetProperty("budget").GetProperty("spent").GetInt64().ShouldBe(3);
        scope.Requests.Count.ShouldBe(3);
        run.All.ShouldNotContain(scope.ApiKey);
    }
}
