using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.SelfTest;

namespace ProviderSpecs.Benchmarking.Tests;

public class SelfTestRunnerTests
{
    [Test]
    public void Self_test_options_reject_an_empty_concurrency_list()
    {
        Should.Throw<ArgumentException>(() => new SelfTestOptions { Concurrencies = [] }.Validate()).ParamName.ShouldBe("Concurrencies");
    }

    [Test]
    public async Task A_miniature_self_test_reports_every_figure()
    {
        var result = await SelfTestRunner.RunAsync(new SelfTestOptions
        {
            Concurrencies = [1, 4],
            AccuracyDurationPerLevel = TimeSpan.FromMilliseconds(300),
            FirstChunkDelay = TimeSpan.FromMilliseconds(5),
            ChunkGap = TimeSpan.FromMilliseconds(2),
            ChunksPerStream = 3,
            CapacityDuration = TimeSpan.FromMilliseconds(300),
            CapacityConcurrency = 4,
            MemoryStreams = 16,
            RunWrk = false,
            ProviderLayerChunks = 6,
            ProviderLayerWarmup = TimeSpan.FromMilliseconds(200),
        });

        var bare = result.Accuracy.Where(a => a.Path == TimingAccuracy.HarnessPath).ToList();
        bare.Select(a => a.Concurrency).ShouldBe([1, 4]);
        bare.ShouldAllBe(a => a.Streams > 0 && a.TtftError.Count == a.Streams && a.InterTokenGapError.Count == a.Streams * 2);
        // The path `bench` users measure, through the provider layer: measured − served per request, and per-chunk costs.
        var layer = result.Accuracy.Where(a => a.Path == TimingAccuracy.ProviderLayerPath).ToList();
        layer.Select(a => a.Concurrency).ShouldBe([1, 4]);
        layer.ShouldAllBe(a => a.Streams > 0 && a.TtftError.Count == a.Streams && a.InterTokenGapError.Count == a.Streams * 5);
        result.Accuracy.ShouldAllBe(a => a.AllocatedBytesPerChunk > 0 && a.CpuMicrosecondsPerChunk > 0);
        result.ToMarkdown().ShouldContain("| provider layer | 4 |");
        // What bounds the error from outside the client: the machine's load and the client's GC pauses (the target runs
        // in this process here, so it has no CPU of its own), and the chunk rate the pacing offers.
        result.Accuracy.ShouldAllBe(a => a.MachineBusy >= 0 && a.MachineBusy <= 1 && a.GcPauseMillisecondsPerSecond >= 0 && a.TargetCpuMicrosecondsPerChunk == null);
        bare.Single(a => a.Concurrency == 4).OfferedChunksPerSecond!.Value.ShouldBe(4 * 3 / 0.009, 0.01); // 3 chunks in 5 + 2 × 2 ms
        result.InlineCompletions.ShouldNotBeNull("the runtime's flag is readable on Linux");
        result.RequestsPerSecond.ShouldBeGreaterThan(0);
        result.StreamsPerSecond.ShouldBeGreaterThan(0);
        result.WrkRequestsPerSecond.ShouldBeNull();
        result.Memory.Streams.ShouldBe(16);
        result.ToMarkdown().ShouldContain("| 4 |");
    }

    [Test]
    public void A_row_that_needs_more_processors_than_the_machine_has_is_reported_as_saturated()
    {
        static Distribution Empty(string name) => new MetricHistogram().ToDistribution(name, "ms", MetricDefinitions.TtftError, 1000);
        var saturated = new TimingAccuracy(256, 100, Empty("TTFT error"), Empty("Chunk gap error"), Empty("TTFT"), TimingAccuracy.ProviderLayerPath, 20, 400)
        {
            TargetCpuMicrosecondsPerChunk = 15, OfferedChunksPerSecond = 108_000, MachineBusy = 0.99, GcPauseMillisecondsPerSecond = 12,
        };
        var light = saturated with { Concurrency = 16, OfferedChunksPerSecond = 6_700, MachineBusy = 0.3 };
        saturated.ProcessorsNeeded!.Value.ShouldBe(3.78, 0.001);
        var markdown = new SelfTestResult([saturated, light], 1, 1, 64, 8, 1, null, "not run", new StreamMemory(1, 1, 1), 1, true, null, true).ToMarkdown();
        markdown.ShouldContain("Saturated: provider layer c=256 offers 108000 chunks/s");
        markdown.ShouldContain("needs 3.8 processors");
        markdown.ShouldNotContain("c=16 offers");
        markdown.ShouldContain("| 15.0 | 99% | 12.0 |");
        markdown.ShouldContain("socket completions inline");
    }

    [TestCase("cpu  4705 150 1510 80000 300 0 20 0 0 0", 6385, 86685)]
    [TestCase("cpu 10 0 10 70 10 0 0 0", 20, 100)]
    public void Machine_load_comes_from_the_kernels_aggregate_cpu_line(string line, long busy, long total) =>
        MachineCpu.Parse(line).ShouldBe(new MachineCpu(busy, total));

    [TestCase(null)]
    [TestCase("cpu0 1 2 3 4 5")]
    [TestCase("cpu x 2 3 4 5")]
    public void An_unreadable_cpu_line_gives_no_load_rather_than_a_wrong_one(string? line) => MachineCpu.Parse(line).ShouldBeNull();

    [Test]
    public void Busy_is_the_share_of_ticks_in_use_between_two_samples()
    {
        MachineCpu.Busy(new MachineCpu(100, 1000), new MachineCpu(400, 1400)).ShouldBe(0.75);
        MachineCpu.Busy(null, new MachineCpu(1, 2)).ShouldBeNull();
        MachineCpu.Busy(new MachineCpu(1, 2), new MachineCpu(1, 2)).ShouldBeNull("no time passed");
    }

    /// <summary>The full self-test (about a minute): run on demand to refresh the figures in the performance report.</summary>
    [Test, Explicit("full harness self-test: about a minute of load on the machine"), Category("SelfTest")]
    public async Task Full_self_test()
    {
        var result = await SelfTestRunner.RunAsync();
        var markdown = result.ToMarkdown();
        TestContext.Out.WriteLine(markdown);
        var outputDirectory = Environment.GetEnvironmentVariable("SELFTEST_OUTPUT");
        if (!string.IsNullOrEmpty(outputDirectory)) File.WriteAllText(Path.Combine(outputDirectory, "self-test.md"), markdown);

        result.Accuracy.Count.ShouldBe(8, "four levels on each path");
        result.RequestsPerSecond.ShouldBeGreaterThan(0);
    }
}
