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
        result.RequestsPerSecond.ShouldBeGreaterThan(0);
        result.StreamsPerSecond.ShouldBeGreaterThan(0);
        result.WrkRequestsPerSecond.ShouldBeNull();
        result.Memory.Streams.ShouldBe(16);
        result.ToMarkdown().ShouldContain("| 4 |");
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
