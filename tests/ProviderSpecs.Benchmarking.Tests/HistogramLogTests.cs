using System.Globalization;
using System.Text;
using HdrHistogram;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Results;

namespace ProviderSpecs.Benchmarking.Tests;

/// <summary>The interval log beside the results: HdrHistogram's own format, readable by its own reader, one tagged interval per scenario and metric.</summary>
public sealed class HistogramLogTests
{
    [Test]
    public async Task The_log_is_hdrhistogram_interval_log_format_in_utf8_and_its_reader_gets_every_recorded_value_back()
    {
        var root = MergeFixtures.NewRoot("log");
        var folder = await MergeFixtures.WriteWorkerAsync(root, 0, MergeFixtures.Plan(1), [1_000, 25_000, 250_000], scenarios: 2);
        var path = Path.Combine(folder, HistogramLog.FileName);

        var bytes = File.ReadAllBytes(path);
        bytes.ShouldAllBe(b => b < 0x80, "ASCII (UTF-8 without a byte-order mark), as the Java, Go and Python readers expect");
        Encoding.UTF8.GetString(bytes).ShouldStartWith("#[Histogram log format version 1.3]\n#[StartTime: ");

        using var stream = File.OpenRead(path);
        using var reader = new HistogramLogReader(stream);
        var histograms = reader.ReadHistograms().ToList();
        // Two scenarios × the three metrics that recorded anything (TTFT, E2E, attempts); empty metrics are left out.
        histograms.Select(h => h.Tag).ShouldBe([
            "s0:groq/llama-3.1-8b-instant:closed-loop_c=2:ttft", "s0:groq/llama-3.1-8b-instant:closed-loop_c=2:e2e", "s0:groq/llama-3.1-8b-instant:closed-loop_c=2:attempts",
            "s1:groq/llama-3.1-8b-instant-1:closed-loop_c=2:ttft", "s1:groq/llama-3.1-8b-instant-1:closed-loop_c=2:e2e", "s1:groq/llama-3.1-8b-instant-1:closed-loop_c=2:attempts"]);
        var ttft = histograms[0];
        ttft.TotalCount.ShouldBe(3);
        ttft.GetValueAtPercentile(0).ShouldBe(ttft.LowestEquivalentValue(1_000));
        ttft.HighestEquivalentValue(ttft.GetValueAtPercentile(100)).ShouldBe(ttft.HighestEquivalentValue(250_000));
        ttft.StartTimeStamp.ShouldBe(new DateTimeOffset(2026, 1, 2, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
        ttft.EndTimeStamp.ShouldBeInRange(ttft.StartTimeStamp + 9_999, ttft.StartTimeStamp + 10_000, "the interval is the measured phase, 10 s");
    }

    [Test]
    public async Task Numbers_are_written_with_dots_whatever_the_machines_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        string folder;
        try
        {
            folder = await MergeFixtures.WriteWorkerAsync(MergeFixtures.NewRoot("culture"), 0, MergeFixtures.Plan(1), [1_500]);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        var line = File.ReadLines(Path.Combine(folder, HistogramLog.FileName)).First(l => l.StartsWith("Tag=", StringComparison.Ordinal));
        line.Split(',')[1].ShouldMatch(@"^\d+\.\d{3}$", "the start timestamp in seconds, with a dot");
        HistogramLog.Read(Path.Combine(folder, HistogramLog.FileName))[(0, "ttft")].TotalCount.ShouldBe(1);
    }

    [TestCase("s3:together_ai/meta-llama/Llama-3.3-70B:poisson_2.5_req/s_(cap_64_seed_43):e2e", 3, "e2e")]
    [TestCase("s0:groq/m:closed-loop_c=16:output-tokens-per-second", 0, "output-tokens-per-second")]
    public void A_tag_names_its_scenario_first_and_its_metric_last(string tag, int scenario, string metric)
    {
        var parsed = HistogramLog.ParseTag(tag);
        parsed.ShouldNotBeNull();
        parsed.Value.Scenario.ShouldBe(scenario);
        parsed.Value.Metric.Key.ShouldBe(metric);
    }

    [TestCase(null)]
    [TestCase("ttft")]
    [TestCase("s0:groq/m:c=1:no-such-metric")]
    public void A_tag_bench_does_not_write_is_not_read_as_one(string? tag)
    {
        HistogramLog.ParseTag(tag).ShouldBeNull();
    }

    [Test]
    public async Task Tags_hold_no_comma_or_whitespace_so_every_reader_splits_the_line_right()
    {
        var template = await MergeFixtures.TemplateAsync();
        var tag = HistogramLog.Tag(7, template with { Load = template.Load with { Description = "poisson 2.5 req/s (cap 64, seed 43)" } }, RecordedMetrics.Ttft);
        tag.ShouldBe("s7:groq/llama-3.1-8b-instant:poisson_2.5_req/s_(cap_64_seed_43):ttft");
    }
}
