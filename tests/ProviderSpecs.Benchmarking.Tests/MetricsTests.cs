using System.Diagnostics;
using ProviderSpecs.Benchmarking.Metrics;

namespace ProviderSpecs.Benchmarking.Tests;

public class MetricsTests
{
    private static long Ms(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000.0);

    [Test]
    public void Percentiles_of_one_to_a_thousand_microseconds_are_the_known_order_statistics()
    {
        var histogram = new MetricHistogram();
        for (var v = 1; v <= 1000; v++) histogram.Record(v);

        var d = histogram.ToDistribution("x", "µs", "test");

        d.Count.ShouldBe(1000);
        d.Min.ShouldBe(1);
        d.Max.ShouldBe(1000);
        d.Mean.ShouldBe(500.5);
        d.P50.ShouldBe(500);
        d.P90.ShouldBe(900);
        d.P95.ShouldBe(950);
        d.P99.ShouldBe(990);
        d.P999.ShouldBe(999);
    }

    [Test]
    public void Merged_histograms_summarise_the_union_of_their_samples()
    {
        var low = new MetricHistogram();
        var high = new MetricHistogram();
        for (var v = 1; v <= 500; v++) low.Record(v);
        for (var v = 501; v <= 1000; v++) high.Record(v);

        low.Add(high);
        var d = low.ToDistribution("x", "ms", "test", scale: 1000);

        d.Count.ShouldBe(1000);
        d.P50.ShouldBe(0.5);
        d.Min.ShouldBe(0.001);
        d.Max.ShouldBe(1.0);
    }

    [Test]
    public void Tpot_is_decode_time_divided_by_output_tokens_minus_one()
    {
        var start = Ms(1000);
        var ttft = RequestMetrics.TtftMicroseconds(start, start + Ms(200));
        var e2e = RequestMetrics.EndToEndMicroseconds(start, start + Ms(1100));

        ttft.ShouldBe(200_000);
        e2e.ShouldBe(1_100_000);
        RequestMetrics.TpotMicroseconds(e2e, ttft, outputTokens: 10).ShouldBe(100_000); // (1100 − 200) ÷ 9 ms
        RequestMetrics.TpotMicroseconds(e2e, ttft, outputTokens: 1).ShouldBeNull();
    }

    [Test]
    public void Itl_is_every_gap_between_successive_content_chunks()
    {
        long[] chunks = [Ms(200), Ms(210), Ms(235), Ms(240)];

        RequestMetrics.InterTokenGapsMicroseconds(chunks).ShouldBe([10_000, 25_000, 5_000]);
        RequestMetrics.InterTokenGapsMicroseconds([Ms(5)]).ShouldBeEmpty();
    }

    [Test]
    public void Per_request_throughput_is_output_tokens_over_end_to_end_seconds()
    {
        RequestMetrics.OutputTokensPerSecond(150, 1_500_000).ShouldBe(100);
        RequestMetrics.OutputTokensPerSecond(0, 1_500_000).ShouldBeNull();
    }
}
