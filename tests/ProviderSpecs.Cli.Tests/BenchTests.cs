using ProviderSpecs.Benchmarking.SelfTest;
using ProviderSpecs.Benchmarking.Metrics;
using System.Text.Json;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Cli.Tests;

public class BenchTests
{
    [Test]
    public async Task Bench_simulated_writes_json_markdown_svg_and_the_comparison()
    {
        var outDir = CliHarness.TempDirectory("bench");
        var run = await CliHarness.RunAsync(["bench", "--requests", "6", "--concurrency", "3", "--time-scale", "0.25", "--max-tokens", "16", "--out", outDir, "--json"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        foreach (var file in new[] { "benchmark-results.json", "benchmark-report.md", "benchmark-histograms.hlog", "latency-percentiles-ttft.svg", "latency-percentiles-e2e.svg", "provider-comparison.md" })
            File.Exists(Path.Combine(outDir, file)).ShouldBeTrue(file);
        Directory.GetDirectories(Path.GetDirectoryName(outDir)!, ".bench-staging-*").ShouldBeEmpty();

        var document = BenchmarkDocument.Load(Path.Combine(outDir, "benchmark-results.json"));
        document.SchemaVersion.ShouldBe(BenchmarkDocument.CurrentSchemaVersion);
        document.Metadata.Target.ShouldBe("simulated");
        document.Scenarios.Select(s => s.Provider).ShouldBe(["groq", "together_ai"]);
        foreach (var s in document.Scenarios)
        {
            s.Started.ShouldBe(6);
            s.Succeeded.ShouldBe(6);
            s.Ttft.Count.ShouldBe(6);
            s.Ttft.ValueOf(Percentile.Min).ShouldBeLessThanOrEqualTo(s.EndToEnd.ValueOf(Percentile.Min));
        }
        document.Scenarios[0].QueueTime.Count.ShouldBe(6, "Groq reports usage.queue_time");
        File.ReadAllText(Path.Combine(outDir, "latency-percentiles-ttft.svg")).ShouldStartWith("<svg");
        var comparison = File.ReadAllText(Path.Combine(outDir, "provider-comparison.md"));
        comparison.ShouldContain("| Metric | groq / llama-3.1-8b-instant | together_ai / meta-llama/Meta-Llama-3-8B-Instruct-Lite |");

        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("files").GetArrayLength().ShouldBe(6);
        json.RootElement.GetProperty("scenarios")[0].GetProperty("servedFirstChunkMs").GetProperty("p50").GetDouble().ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task Bench_with_a_request_log_writes_every_measured_request_with_what_the_simulator_served()
    {
        var outDir = CliHarness.TempDirectory("request-log");
        var run = await CliHarness.RunAsync(["bench", "--provider", "groq", "--requests", "8", "--concurrency", "1,2", "--time-scale", "0.25", "--max-tokens", "8",
            "--request-log", "--out", outDir, "--json"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        var document = BenchmarkDocument.Load(Path.Combine(outDir, "benchmark-results.json"));
        document.Plan!.Settings["--request-log"].ShouldBe("on");
        var path = Path.Combine(outDir, RequestLog.FileName);
        using (var json = JsonDocument.Parse(run.Output))
            json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()).ShouldContain(path);

        var log = RequestLog.Read(path, document.Scenarios.Count);
        for (var i = 0; i < document.Scenarios.Count; i++)
        {
            var scenario = document.Scenarios[i];
            var records = log[i];
            records.Count.ShouldBe(scenario.Started);
            records.ShouldAllBe(r => r.Succeeded && r.StatusCode == 200 && r.ChunksMs.Count > 0 && r.OutputTokens > 0);
            // The simulator says what it served; each record's TTFT error is one of the distribution's samples.
            records.ShouldAllBe(r => r.ServedFirstChunkMs > 0);
            records.Max(r => Math.Abs(r.TtftMs!.Value - r.ServedFirstChunkMs!.Value)).ShouldBe(scenario.TtftError.ValueOf(Percentile.Max), tolerance: 0.0015);
            records.Min(r => r.TtftMs!.Value).ShouldBe(scenario.Ttft.ValueOf(Percentile.Min));
        }
    }

    [Test]
    public async Task Bench_options_with_defaults_and_flags_reach_the_run_under_the_bench_branch()
    {
        // bench is a branch (bench merge is its sub-command): options declared on both levels were once reset to their
        // defaults on the default command (--seed 42, --max-tokens 64, --non-streaming off).
        var outDir = CliHarness.TempDirectory("options");
        var prepared = 0;
        var run = await CliHarness.RunAsync(["bench", "--provider", "groq", "--requests", "2", "--concurrency", "1", "--warmup", "1", "--time-scale", "0",
            "--max-tokens", "9", "--seed", "7", "--non-streaming", "--out", outDir, "--json"], runInMeasuringProcess: _ =>
            {
                prepared++;
                return Task.FromResult<int?>(null); // this process measures: the command goes on here
            });

        run.ExitCode.ShouldBe(0, run.ToString());
        prepared.ShouldBe(1, "bench asks once, before anything else, whether it measures in this process");
        var resources = BenchmarkDocument.Load(Path.Combine(outDir, "benchmark-results.json")).Scenarios.Single().Resources;
        resources.GcPauseSeconds.ShouldNotBeNull();
        resources.InlineSocketCompletions.ShouldBe(false, "the test host's sockets go through the thread pool");
        var document = BenchmarkDocument.Load(Path.Combine(outDir, "benchmark-results.json"));
        document.Metadata.Seed.ShouldBe(7);
        document.Plan!.SeedFamily.ShouldBe(7);
        document.Plan.Settings["--max-tokens"].ShouldBe("9");
        document.Plan.Settings["--non-streaming"].ShouldBe("on");
        document.Scenarios.Single().InterTokenLatency.Count.ShouldBe(0, "non-streamed replies have no inter-token gaps");
    }

    [Test]
    public async Task When_bench_ran_in_a_measuring_child_process_its_exit_code_is_the_answer_and_nothing_runs_here()
    {
        var outDir = CliHarness.TempDirectory("child");
        var run = await CliHarness.RunAsync(["bench", "--provider", "groq", "--requests", "2", "--out", outDir],
            runInMeasuringProcess: _ => Task.FromResult<int?>(4));

        run.ExitCode.ShouldBe(4, run.ToString());
        Directory.EnumerateFileSystemEntries(outDir).ShouldBeEmpty("the child process measured and wrote the reports, not this one");
    }

    [Test]
    public async Task Bench_concurrency_list_is_a_sweep_with_a_throughput_chart()
    {
        var outDir = CliHarness.TempDirectory("sweep");
        var run = await CliHarness.RunAsync(["bench", "--provider", "groq", "--requests", "4", "--concurrency", "1,2", "--warmup", "1",
            "--time-scale", "0.2", "--max-tokens", "8", "--non-streaming", "--out", outDir]);

        run.ExitCode.ShouldBe(0, run.ToString());
        File.Exists(Path.Combine(outDir, "throughput-vs-load.svg")).ShouldBeTrue();
        var document = BenchmarkDocument.Load(Path.Combine(outDir, "benchmark-results.json"));
        document.Sweeps.Count.ShouldBe(1);
        document.Sweeps[0].Points.Select(p => p.Load.Level).ShouldBe([1.0, 2.0]);
        run.Output.ShouldContain("closed-loop c=2");
        run.Output.ShouldContain("Wrote 7 files");
    }

    [Test]
    public async Task Bench_live_spends_exactly_its_plan_within_the_budget_and_never_shows_the_key()
    {
        // "Live" here is the simulated Groq reached through GROQ_BASE_URL, so the live path runs without the network.
        await using var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq], TimeScale = 0.1 });
        var scope = simulators["groq"].OpenScope("cli live bench");
        var outDir = CliHarness.TempDirectory("live");
        var run = await CliHarness.RunAsync(
            ["bench", "--live", "--provider", "groq", "--requests", "3", "--concurrency", "1", "--warmup", "1", "--max-requests", "5", "--max-tokens", "8", "--out", outDir, "--json"],
            new Dictionary<string, string> { ["GROQ_API_KEY"] = scope.ApiKey, ["GROQ_BASE_URL"] = simulators["groq"].BaseUrl.ToString() });

        run.ExitCode.ShouldBe(0, run.ToString());
        scope.Requests.Count.ShouldBe(4);
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("target").GetString().ShouldBe("live");
        json.RootElement.GetProperty("budget").GetProperty("spent").GetInt64().ShouldBe(4);
        BenchmarkDocument.Load(Path.Combine(outDir, "benchmark-results.json")).Metadata.Notes!.ShouldContain("4 of 5 requests spent");
        run.All.ShouldNotContain(scope.ApiKey);
    }

    [Test]
    public async Task Bench_self_test_quick_writes_self_test_markdown()
    {
        var outDir = CliHarness.TempDirectory("selftest");
        var run = await CliHarness.RunAsync(["bench", "--self-test", "--quick", "--concurrency", "1", "--duration", "0.3", "--out", outDir, "--json"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        var markdown = File.ReadAllText(Path.Combine(outDir, "self-test.md"));
        markdown.ShouldStartWith("# Harness self-test");
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("requestsPerSecond").GetDouble().ShouldBeGreaterThan(0);
        // One row per path at the one concurrency asked for: the bare harness and the provider layer bench measures through.
        var accuracy = json.RootElement.GetProperty("accuracy").EnumerateArray().ToList();
        accuracy.Select(a => a.GetProperty("path").GetString()).ShouldBe([TimingAccuracy.HarnessPath, TimingAccuracy.ProviderLayerPath]);
        accuracy.ShouldAllBe(a => a.GetProperty("streams").GetInt32() > 0 && a.GetProperty("allocatedBytesPerChunk").GetDouble() > 0);
        var reference = json.RootElement.GetProperty("plainClientAccuracy");
        reference.GetProperty("concurrency").GetInt32().ShouldBe(16);
        reference.GetProperty("streams").GetInt32().ShouldBeGreaterThan(0);
        reference.GetProperty("ttftErrorMsP99").GetDouble().ShouldBeGreaterThan(0);
        markdown.ShouldContain("bare HttpClient loop (no harness)");
    }

    [Test]
    public async Task Bench_self_test_runs_its_target_in_a_child_process_and_stops_it_afterwards()
    {
        var outDir = CliHarness.TempDirectory("selftest-child");
        var target = () => new System.Diagnostics.ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "providerspecs.dll"), "bench-target" } };

        var run = await CliHarness.RunAsync(["bench", "--self-test", "--quick", "--concurrency", "1", "--duration", "0.3", "--out", outDir, "--json"], selfTestTarget: target);

        run.ExitCode.ShouldBe(0, run.ToString());
        File.ReadAllText(Path.Combine(outDir, "self-test.md")).ShouldContain("in a child process of its own");
        // The child's CPU is measured apart from the harness's: each row has the target's CPU per chunk it served.
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("accuracy").EnumerateArray().ShouldAllBe(a => a.GetProperty("targetCpuMicrosecondsPerChunk").GetDouble() > 0);
        if (OperatingSystem.IsLinux()) RunningBenchTargets().ShouldBeEmpty("the self-test should stop its target process");
    }

    private static List<string> RunningBenchTargets() =>
        Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return ""; } })
            .Where(c => c.Contains("providerspecs.dll bench-target", StringComparison.Ordinal)).ToList();
}
