using ProviderSpecs.Benchmarking.Budgets;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;

namespace ProviderSpecs.Benchmarking.Tests;

public class BudgetTests
{
    private static Distribution Ttft(double p95) =>
        new("TTFT", "ms", MetricDefinitions.Ttft, Count: 100, Min: 1, Mean: p95 / 2, P50: p95 / 2, P90: p95 * 0.9, P95: p95, P99: p95 * 1.2, P999: p95 * 1.3, Max: p95 * 1.5);

    [Test]
    public void A_latency_budget_is_parsed_from_its_written_form()
    {
        var budget = Budget.Parse("p95 ttft < 500 ms").ShouldBeOfType<LatencyBudget>();

        budget.Metric.ShouldBe(Metric.Ttft);
        budget.Statistic.ShouldBe(Percentile.P95);
        budget.Limit.ShouldBe(TimeSpan.FromMilliseconds(500));
        budget.Comparison.ShouldBe(Comparison.LessThan);
        budget.ShouldBe(new LatencyBudget(Metric.Ttft, Percentile.P95, TimeSpan.FromMilliseconds(500), Comparison.LessThan));
    }

    [TestCase("P99 E2E <= 1.5 s", Metric.EndToEnd, Percentile.P99, 1500)]
    [TestCase("p99.9 itl ≤ 40 ms", Metric.InterTokenLatency, Percentile.P999, 40)]
    [TestCase("median tpot < 20 ms", Metric.Tpot, Percentile.P50, 20)]
    public void Latency_budgets_accept_other_statistics_metrics_and_units(string text, Metric metric, Percentile statistic, double limitMs)
    {
        var budget = Budget.Parse(text).ShouldBeOfType<LatencyBudget>();

        budget.Metric.ShouldBe(metric);
        budget.Statistic.ShouldBe(statistic);
        budget.Limit.TotalMilliseconds.ShouldBe(limitMs);
    }

    [Test]
    public void A_latency_budget_passes_when_the_statistic_is_under_the_limit_and_says_so()
    {
        var verdict = new LatencyBudget(Metric.Ttft, Percentile.P95, TimeSpan.FromMilliseconds(500)).Evaluate(Ttft(212.4));

        verdict.Passed.ShouldBeTrue();
        verdict.Measured.ShouldBe(212.4);
        verdict.Explanation.ShouldStartWith("P95 TTFT 212.4 ms ≤ 500 ms budget");
    }

    [Test]
    public void A_latency_budget_fails_when_the_statistic_exceeds_the_limit()
    {
        var verdict = Budget.Parse("p95 ttft < 500 ms").ShouldBeOfType<LatencyBudget>().Evaluate(Ttft(640));

        verdict.Passed.ShouldBeFalse();
        verdict.Explanation.ShouldContain("640.0 ms ≥ 500 ms budget (exceeded)");
    }

    [Test]
    public void A_latency_budget_on_nothing_measured_fails_instead_of_passing_vacuously()
    {
        var empty = new MetricHistogram().ToDistribution("TTFT", "ms", MetricDefinitions.Ttft);

        new LatencyBudget(Metric.Ttft, Percentile.P95, TimeSpan.FromMilliseconds(500)).Evaluate(empty).Passed.ShouldBeFalse();
    }

    [Test]
    public async Task A_throughput_budget_is_evaluated_on_the_run_rate()
    {
        var result = await BenchmarkRunner.RunAsync(TestTargets.Streaming(chunks: 3), new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 20 });

        var reachable = Budget.Parse("output tokens/s >= 1").Evaluate(result);
        var unreachable = Budget.Parse("output tokens/s ≥ 1000000000").Evaluate(result);

        reachable.Passed.ShouldBeTrue();
        reachable.Measured.ShouldBe(result.OutputTokensPerSecond.Value);
        reachable.Explanation.ShouldStartWith("Output tokens/s ");
        unreachable.Passed.ShouldBeFalse();
        unreachable.Explanation.ShouldContain("(missed)");
        Budget.Parse("requests/s > 5").ShouldBe(new ThroughputBudget(ThroughputMetric.RequestsPerSecond, 5, Comparison.GreaterThan));
    }

    [TestCase("p95 ttft under 500 ms")]
    [TestCase("p95 ttft < 500")]
    [TestCase("p42 ttft < 500 ms")]
    [TestCase("")]
    public void A_malformed_budget_is_rejected_with_the_accepted_form(string text)
    {
        var error = Should.Throw<FormatException>(() => Budget.Parse(text));

        error.Message.ShouldContain("p95 ttft < 500 ms");
        error.Message.ShouldNotContain("\n");
    }

    [Test]
    public void A_latency_budget_needs_a_positive_limit()
    {
        Should.Throw<ArgumentException>(() => new LatencyBudget(Metric.Ttft, Percentile.P95, TimeSpan.Zero)).ParamName.ShouldBe("limit");
    }
}
