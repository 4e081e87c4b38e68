using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

/// <summary>The request log (bench --request-log): a record per measured request, the same figures as the distributions, written, read and merged whole.</summary>
public sealed class RequestLogTests
{
    /// <summary>Requests 0–9: request 3 is refused with a 429 after a retry; the others stream five chunks and say what they served.</summary>
    private static DelegateTarget MixedTarget() => new("groq", "llama-3.1-8b-instant", async (ctx, _) =>
    {
        if (!ctx.IsWarmup && ctx.RequestIndex == 3)
        {
            ctx.SetAttempts(2);
            ctx.RecordRateLimited(TimeSpan.FromSeconds(1));
            return RequestOutcome.Failed(RequestOutcome.RateLimitedKey, 429, TimeSpan.FromSeconds(1));
        }
        ctx.SetServedTiming(TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(1), 4);
        ctx.SetQueueTime(TimeSpan.FromMilliseconds(7));
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(1);
            ctx.MarkChunk();
        }
        return RequestOutcome.Success(outputTokens: 5);
    });

    private static Task<ScenarioResult> RunAsync(bool keepRequests) => BenchmarkRunner.RunAsync(MixedTarget(),
        new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 10, WarmupRequests = 2, KeepRequests = keepRequests, KeepHistograms = true });

    [Test]
    public async Task A_run_that_keeps_its_requests_has_one_record_per_measured_request_agreeing_with_its_distributions()
    {
        var result = await RunAsync(keepRequests: true);

        var records = result.Requests.ShouldNotBeNull();
        records.Select(r => r.Index).ShouldBe(Enumerable.Range(0, 10).Select(i => (long)i), "every measured request once, by index; the warm-up's none");
        records.Select(r => r.StartSeconds).ShouldBeInOrder(SortDirection.Ascending, "one loop: each request starts after the one before");
        records.Last().StartSeconds.ShouldBeLessThanOrEqualTo(result.ElapsedSeconds);

        var refused = records[3];
        refused.Succeeded.ShouldBeFalse();
        refused.StatusCode.ShouldBe(429);
        refused.Error.ShouldBe(RequestOutcome.RateLimitedKey);
        refused.TtftMs.ShouldBeNull();
        refused.ChunksMs.ShouldBeEmpty();
        refused.Attempts.ShouldBe(2);
        refused.RateLimitedResponses.ShouldBe(2, "the 429 a retry met and the final one");

        var answered = records.Where(r => r.Succeeded).ToList();
        answered.Count.ShouldBe(result.Succeeded);
        foreach (var r in answered)
        {
            r.StatusCode.ShouldBe(200);
            r.Error.ShouldBeNull();
            r.OutputTokens.ShouldBe(5);
            r.ChunksMs.Count.ShouldBe(5);
            r.ChunksMs[0].ShouldBe(r.TtftMs!.Value);
            r.ChunksMs.ShouldBeInOrder(SortDirection.Ascending);
            r.ChunksMs[^1].ShouldBeLessThanOrEqualTo(r.EndToEndMs);
            r.QueueMs.ShouldBe(7);
            r.ServedFirstChunkMs.ShouldBe(3);
            r.Worker.ShouldBe(0);
        }
        // The records hold the very microseconds the histograms recorded: their extremes are the distributions' exact ones.
        answered.Min(r => r.TtftMs!.Value).ShouldBe(result.Ttft.ValueOf(Percentile.Min));
        answered.Max(r => r.TtftMs!.Value).ShouldBe(result.Ttft.ValueOf(Percentile.Max));
        answered.Max(r => r.EndToEndMs).ShouldBe(result.EndToEnd.ValueOf(Percentile.Max));
        answered.Sum(r => r.OutputTokens).ShouldBe((int)result.OutputTokens);
    }

    [Test]
    public async Task A_run_that_does_not_keep_its_requests_writes_no_request_log()
    {
        var result = await RunAsync(keepRequests: false);
        result.Requests.ShouldBeNull();

        var folder = MergeFixtures.NewRoot("no-log");
        var files = BenchmarkReport.WriteAll(Document(result), folder);
        files.ShouldNotContain(f => f.EndsWith(RequestLog.FileName, StringComparison.Ordinal));
        File.Exists(Path.Combine(folder, RequestLog.FileName)).ShouldBeFalse();
    }

    [Test]
    public async Task The_request_log_is_a_json_line_per_request_naming_its_scenario_and_reads_back_whole()
    {
        var result = await RunAsync(keepRequests: true);
        var folder = MergeFixtures.NewRoot("log");
        var files = BenchmarkReport.WriteAll(Document(result, result with { Model = "second" }), folder);
        var path = Path.Combine(folder, RequestLog.FileName);
        files.ShouldContain(path);

        var lines = File.ReadAllLines(path);
        lines.Length.ShouldBe(20);
        lines[0].ShouldStartWith("""{"scenario":0,"provider":"groq","model":"llama-3.1-8b-instant","load":"closed-loop c=1","index":0,""");
        lines[10].ShouldStartWith("""{"scenario":1,"provider":"groq","model":"second",""");

        var read = RequestLog.Read(path, scenarioCount: 2);
        read.Keys.Order().ShouldBe([0, 1]);
        for (var i = 0; i < 10; i++)
        {
            var (written, back) = (result.Requests![i], read[0][i]);
            (back with { ChunksMs = written.ChunksMs }).ShouldBe(written);
            back.ChunksMs.ShouldBe(written.ChunksMs);
        }
        Should.Throw<InvalidDataException>(() => RequestLog.Read(path, scenarioCount: 1)).Message
            .ShouldBe("line 11 names no scenario of the results file's 1: the two files are not of the same run.");
    }

    [Test]
    public async Task A_merge_carries_every_workers_requests_by_worker_with_their_starts_on_the_fleets_clock()
    {
        var root = MergeFixtures.NewRoot("merge-log");
        var plan = MergeFixtures.Plan(2);
        var first = await MergeFixtures.WriteWorkerAsync(root, 0, plan, [1_000, 2_000], requestLog: true);
        var second = await MergeFixtures.WriteWorkerAsync(root, 1, plan, [3_000], failures: 1, requestLog: true);

        var merged = MergeFixtures.Merge(first, second);
        var records = merged.Scenarios.Single().Requests.ShouldNotBeNull();
        records.Select(r => (r.Worker, r.Index)).ShouldBe([(0, 0L), (0, 1L), (1, 0L), (1, 1L)]);
        records.Select(r => r.TtftMs).ShouldBe([1.0, 2.0, 3.0, null]);
        // Worker 1 started its measured phase a second after worker 0 (the fixture's clocks): its starts move by that second.
        records.Select(r => r.StartSeconds).ShouldBe([0.0, 0.5, 1.0, 1.5]);

        var output = Path.Combine(root, "merged");
        BenchmarkReport.WriteAll(merged, output);
        var lines = File.ReadAllLines(Path.Combine(output, RequestLog.FileName));
        lines.Length.ShouldBe(4);
        lines[2].ShouldContain("\"worker\":1");
    }

    [Test]
    public async Task A_merge_refuses_a_fleet_where_only_some_workers_kept_their_request_log_or_a_log_of_another_run()
    {
        var root = MergeFixtures.NewRoot("merge-partial");
        var plan = MergeFixtures.Plan(2);
        var first = await MergeFixtures.WriteWorkerAsync(root, 0, plan, [1_000], requestLog: true);
        var second = await MergeFixtures.WriteWorkerAsync(root, 1, plan, [2_000], requestLog: false);

        Should.Throw<BenchmarkMergeException>(() => MergeFixtures.Merge(first, second)).Message
            .ShouldBe($"{first} (worker 0) wrote a {RequestLog.FileName} but {second} (worker 1) did not: copy that worker's whole output folder, or delete the request logs to merge without them.");

        // Worker 0's log in worker 1's folder: the records say worker 0.
        File.Copy(Path.Combine(first, RequestLog.FileName), Path.Combine(second, RequestLog.FileName));
        Should.Throw<BenchmarkMergeException>(() => WorkerOutput.Load(second)).Message.ShouldContain("holds a request of worker 0, but its results file is worker 1's");

        // A log cut short: fewer records than the results' requests.
        File.WriteAllLines(Path.Combine(first, RequestLog.FileName), []);
        Should.Throw<BenchmarkMergeException>(() => WorkerOutput.Load(first)).Message.ShouldContain("its request log holds 0 requests but its results 1");
    }

    private static BenchmarkDocument Document(params ScenarioResult[] scenarios) => new()
    {
        Metadata = RunMetadata.Capture("simulated"),
        Scenarios = scenarios,
    };
}
