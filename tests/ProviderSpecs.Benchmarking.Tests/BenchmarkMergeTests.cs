using HdrHistogram;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Tests;

/// <summary>Merging the workers of one plan: exact percentiles, exact min/max/mean, refusals of anything that is not one plan's complete set.</summary>
public sealed class BenchmarkMergeTests
{
    private static List<long> Samples(int seed, int count, long spread)
    {
        var random = new Random(seed);
        // Long-tailed latencies (µs) spread over several HdrHistogram buckets, as real ones are.
        return Enumerable.Range(0, count).Select(_ => (long)(50_000 + spread * Math.Pow(random.NextDouble(), 4))).ToList();
    }

    [Test]
    public async Task Merged_percentiles_min_max_and_mean_are_those_of_one_histogram_over_every_workers_samples()
    {
        var root = MergeFixtures.NewRoot("exact");
        var plan = MergeFixtures.Plan(3);
        var samples = new[] { Samples(1, 700, 400_000), Samples(2, 1_300, 2_000_000), Samples(3, 90, 9_000_000) };
        var folders = new List<string>();
        for (var i = 0; i < 3; i++) folders.Add(await MergeFixtures.WriteWorkerAsync(root, i, plan, samples[i], label: $"region-{i}"));

        var merged = MergeFixtures.Merge([.. folders]);

        var one = new MetricHistogram();
        foreach (var value in samples.SelectMany(s => s)) one.Record(value);
        var expected = RecordedMetrics.Ttft.Summarise(one);
        var ttft = merged.Scenarios.Single().Ttft;
        ttft.ShouldBe(expected, "the same distribution, statistic for statistic, as one histogram that recorded every sample");
        ttft.Count.ShouldBe(2_090);
        ttft.Min.ShouldBe(samples.SelectMany(s => s).Min() / 1000.0);
        ttft.Max.ShouldBe(samples.SelectMany(s => s).Max() / 1000.0);
        ttft.Mean!.Value.ShouldBe(samples.SelectMany(s => s).Sum() / 2_090.0 / 1000, 1e-9);
        // Not an average of the workers' P99s: the slow, small worker moves the merged P99 by its share only.
        var workerP99s = merged.Scenarios.Single().Workers!.Select(w => w.TtftP99!.Value).ToList();
        ttft.P99.ShouldNotBe(workerP99s.Average());
    }

    [Test]
    public async Task The_merge_sums_counts_names_every_worker_and_measures_throughput_over_the_fleets_span()
    {
        var root = MergeFixtures.NewRoot("sums");
        var plan = MergeFixtures.Plan(2);
        // Worker 1 starts a second after worker 0 and both measure for 10 s: the fleet's span is 11 s.
        var a = await MergeFixtures.WriteWorkerAsync(root, 0, plan, Samples(4, 30, 100_000), failures: 2, label: "eu-west-1", startSpreadSeconds: 0.3);
        var b = await MergeFixtures.WriteWorkerAsync(root, 1, plan, Samples(5, 50, 100_000), failures: 1, label: "us-east-1", startSpreadSeconds: 0.12);

        var merged = MergeFixtures.Merge(b, a);

        var s = merged.Scenarios.Single();
        (s.Started, s.Succeeded, s.Failed).ShouldBe((83, 80, 3));
        s.ErrorsByKey["rate-limited"].ShouldBe(3);
        s.ElapsedSeconds.ShouldBe(11, 1e-9);
        s.StartSpreadSeconds.ShouldBe(0.3, "each worker spread its own loops; the fleet's spread is the slowest worker's");
        s.RequestsPerSecond.Value!.Value.ShouldBe(80 / 11.0, 1e-9);
        s.RequestsPerSecond.Definition.ShouldBe(MetricDefinitions.FleetRequestsPerSecond);
        s.Attempts.Count.ShouldBe(83, "attempts of failed requests are recorded too");
        s.Workers!.Select(w => (w.Index, w.Label, w.Started)).ShouldBe([(0, "eu-west-1", 32), (1, "us-east-1", 51)]);
        merged.MergedFrom!.Select(w => w.Machine).ShouldBe(["machine-0", "machine-1"]);
        merged.Metadata.Seed.ShouldBe(42, "the merged run is of the plan's seed family");
        (merged.Plan!.Workers, merged.Plan.SeedFamily).ShouldBe((plan.Workers, plan.SeedFamily));
        merged.Plan.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).ShouldBe(plan.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            "the merged document carries the workers' plan, option for option");
        merged.Metadata.Worker.ShouldBeNull();
        var cpu = (await MergeFixtures.TemplateAsync()).Resources.CpuSeconds;
        cpu.ShouldNotBeNull("the runner records the process's CPU time");
        s.Resources.CpuSeconds!.Value.ShouldBe(2 * cpu.Value, 1e-9, "CPU time is summed over the workers");
        var pause = (await MergeFixtures.TemplateAsync()).Resources.GcPauseSeconds;
        s.Resources.GcPauseSeconds!.Value.ShouldBe(2 * pause!.Value, 1e-9, "GC pauses are summed over the workers");
    }

    [Test]
    public async Task A_merged_result_is_written_like_any_other_and_reads_back_with_its_breakdown()
    {
        var root = MergeFixtures.NewRoot("write");
        var plan = MergeFixtures.Plan(2);
        var merged = MergeFixtures.Merge(
            await MergeFixtures.WriteWorkerAsync(root, 0, plan, Samples(6, 40, 300_000), label: "eu-west-1"),
            await MergeFixtures.WriteWorkerAsync(root, 1, plan, Samples(7, 40, 300_000), label: "us-east-1"));
        var output = Path.Combine(root, "merged");

        var files = BenchmarkReport.WriteAll(merged, output);

        files.Select(Path.GetFileName).ShouldContain(HistogramLog.FileName);
        var read = BenchmarkDocument.Load(Path.Combine(output, BenchmarkDocument.FileName));
        read.SchemaVersion.ShouldBe(1, "a merged result keeps the schema: the living doc and older readers read it");
        read.Scenarios.Single().Ttft.ShouldBe(merged.Scenarios.Single().Ttft);
        read.Scenarios.Single().Workers!.Count.ShouldBe(2);
        var report = File.ReadAllText(Path.Combine(output, MarkdownReport.FileName));
        report.ShouldContain("| Merged from | 2 workers: 0 eu-west-1 (machine-0); 1 us-east-1 (machine-1) |");
        report.ShouldContain("| 1 | us-east-1 | machine-1 | 40 / 40 |");
        HistogramLog.Read(Path.Combine(output, HistogramLog.FileName))[(0, "ttft")].TotalCount.ShouldBe(80);
    }

    [Test]
    public async Task Workers_that_measured_nothing_merge_to_not_measured_never_zero()
    {
        var root = MergeFixtures.NewRoot("nothing");
        var plan = MergeFixtures.Plan(2);
        var merged = MergeFixtures.Merge(
            await MergeFixtures.WriteWorkerAsync(root, 0, plan, [], failures: 5),
            await MergeFixtures.WriteWorkerAsync(root, 1, plan, [], failures: 4));

        var s = merged.Scenarios.Single();
        s.Ttft.IsEmpty.ShouldBeTrue();
        s.Ttft.P50.ShouldBeNull();
        Should.Throw<NotMeasuredException>(() => s.Ttft.ValueOf(Percentile.P95));
        s.RequestsPerSecond.Value.ShouldBeNull();
        s.ErrorRate.Value.ShouldBe(1.0);
        s.NotMeasuredReason().ShouldBe("not measured: 0 of 9 requests succeeded (errors by key: rate-limited × 9)");
        s.Workers!.ShouldAllBe(w => w.TtftP50 == null && w.RequestsPerSecond == null);
        MarkdownReport.Render(merged).ShouldContain("| 0 | — | machine-0 | 0 / 5 | — | — | — | — | — | — |");
    }

    [Test]
    public async Task Outputs_of_different_plans_are_refused_naming_the_option_that_differs()
    {
        var root = MergeFixtures.NewRoot("plans");
        var a = await MergeFixtures.WriteWorkerAsync(root, 0, MergeFixtures.Plan(2, requests: "400"), [1_000]);
        var b = await MergeFixtures.WriteWorkerAsync(root, 1, MergeFixtures.Plan(2, requests: "200"), [1_000]);

        var refusal = Should.Throw<BenchmarkMergeException>(() => MergeFixtures.Merge(a, b));

        refusal.Message.ShouldContain("the workers ran different plans");
        refusal.Message.ShouldContain("(worker 1) ran --requests 200 but");
        refusal.Message.ShouldContain("(worker 0) ran --requests 400");
        refusal.Message.ShouldNotContain("\n");
    }

    [Test]
    public async Task Outputs_of_different_seed_families_or_worker_counts_are_refused()
    {
        var root = MergeFixtures.NewRoot("family");
        var a = await MergeFixtures.WriteWorkerAsync(root, 0, MergeFixtures.Plan(2, seedFamily: 42), [1_000]);
        var b = await MergeFixtures.WriteWorkerAsync(root, 1, MergeFixtures.Plan(2, seedFamily: 7), [1_000]);
        Should.Throw<BenchmarkMergeException>(() => MergeFixtures.Merge(a, b)).Message.ShouldContain("seed family 7 but");

        var c = await MergeFixtures.WriteWorkerAsync(MergeFixtures.NewRoot("count"), 1, MergeFixtures.Plan(3), [1_000]);
        Should.Throw<BenchmarkMergeException>(() => MergeFixtures.Merge(a, c)).Message.ShouldContain("--workers 3 but");

        var d = await MergeFixtures.WriteWorkerAsync(MergeFixtures.NewRoot("seed"), 1, MergeFixtures.Plan(2), [1_000], seed: 99);
        Should.Throw<BenchmarkMergeException>(() => MergeFixtures.Merge(a, d)).Message.ShouldContain("ran with seed 99, not its seed of family 42 (43)");
    }

    [Test]
    public async Task A_missing_or_repeated_worker_is_refused()
    {
        var root = MergeFixtures.NewRoot("set");
        var plan = MergeFixtures.Plan(3);
        var a = await MergeFixtures.WriteWorkerAsync(root, 0, plan, [1_000]);
        var b = await MergeFixtures.WriteWorkerAsync(root, 1, plan, [1_000]);

        Should.Throw<BenchmarkMergeException>(() => MergeFixtures.Merge(a, b)).Message.ShouldStartWith("worker 2 of 3 is missing");
        Should.Throw<BenchmarkMergeException>(() => MergeFixtures.Merge(a, b, a)).Message.ShouldStartWith("worker 0 of 3 appears more than once");
    }

    [Test]
    public async Task A_worker_without_its_interval_log_or_with_altered_figures_is_refused()
    {
        var root = MergeFixtures.NewRoot("files");
        var plan = MergeFixtures.Plan(1);
        var folder = await MergeFixtures.WriteWorkerAsync(root, 0, plan, [1_000, 2_000]);
        var log = Path.Combine(folder, HistogramLog.FileName);
        var text = File.ReadAllText(log);

        File.Delete(log);
        Should.Throw<BenchmarkMergeException>(() => WorkerOutput.Load(folder)).Message.ShouldContain($"has no {HistogramLog.FileName}");

        // The log of another run: one sample fewer than the results file recorded.
        var other = await MergeFixtures.WriteWorkerAsync(MergeFixtures.NewRoot("other"), 0, plan, [1_000]);
        File.Copy(Path.Combine(other, HistogramLog.FileName), log);
        Should.Throw<BenchmarkMergeException>(() => WorkerOutput.Load(folder)).Message.ShouldContain("the interval log holds 1 samples but the results file recorded 2");

        File.WriteAllText(log, text);
        WorkerOutput.Load(folder).Document.Scenarios.Single().Histograms![RecordedMetrics.Ttft].Count.ShouldBe(2);
    }

    [Test]
    public async Task A_merged_result_is_not_merged_again()
    {
        var root = MergeFixtures.NewRoot("twice");
        var merged = MergeFixtures.Merge(await MergeFixtures.WriteWorkerAsync(root, 0, MergeFixtures.Plan(1), [1_000]));
        var output = Path.Combine(root, "merged");
        BenchmarkReport.WriteAll(merged, output);

        Should.Throw<BenchmarkMergeException>(() => WorkerOutput.Load(output)).Message.ShouldContain("is already a merged result");
    }

    [Test]
    public void A_folder_without_results_is_refused_with_what_to_give_instead()
    {
        var empty = MergeFixtures.NewRoot("empty");
        Should.Throw<BenchmarkMergeException>(() => WorkerOutput.Load(empty)).Message.ShouldContain("holds no benchmark-results.json: give the folders bench wrote");
    }

    [Test]
    public void Restoring_keeps_the_exact_figures_hdrhistogram_buckets_lose()
    {
        var original = new MetricHistogram();
        foreach (var v in new long[] { 1_234_567, 1_234_999, 7 }) original.Record(v);
        var counts = new LongHistogram(MetricHistogram.HighestTrackableValue, MetricHistogram.SignificantDigits);
        foreach (var v in new long[] { 1_234_567, 1_234_999, 7 }) counts.RecordValue(v);

        var restored = MetricHistogram.Restore(counts, original.ToRecorded("microseconds"), "test");

        restored.Max.ShouldBe(1_234_999, "HdrHistogram alone would give the bucket's highest equivalent value");
        counts.HighestEquivalentValue(counts.GetMaxValue()).ShouldNotBe(1_234_999);
        restored.Sum.ShouldBe(original.Sum);
        restored.ToDistribution("x", "µs", "d").ShouldBe(original.ToDistribution("x", "µs", "d"));
    }
}
