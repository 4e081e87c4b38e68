using System.Text.Json;
using ProviderSpecs.Benchmarking.Budgets;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

/// <summary>A run in which no request succeeded measured nothing: every reader says "not measured", none reads a 0.</summary>
public sealed class NotMeasuredTests
{
    private static ScenarioResult _allFailed = null!;
    private static ScenarioResult _fewSucceeded = null!;

    [OneTimeSetUp]
    public static async Task MeasureAsync()
    {
        // Every request refused, as an account's rate limit refuses them.
        var refused = new DelegateTarget("groq", "llama-3.1-8b-instant", (_, _) => ValueTask.FromResult(RequestOutcome.Failed("rate-limited", 429)));
        _allFailed = await BenchmarkRunner.RunAsync(refused, new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 10, WarmupRequests = 1 });
        // Five of ten succeed: enough for a median, too few for a P95.
        var sent = 0;
        var half = new DelegateTarget("groq", "llama-3.1-8b-instant", (ctx, _) =>
        {
            if (ctx.IsWarmup) return ValueTask.FromResult(RequestOutcome.Success(4));
            if (Interlocked.Increment(ref sent) % 2 == 0) return ValueTask.FromResult(RequestOutcome.Failed("overloaded", 503));
            ctx.MarkChunk();
            ctx.MarkChunk();
            return ValueTask.FromResult(RequestOutcome.Success(4));
        });
        _fewSucceeded = await BenchmarkRunner.RunAsync(half, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 10, WarmupRequests = 1 });
    }

    [Test]
    public void An_all_failed_run_has_empty_distributions_and_no_rates()
    {
        _allFailed.Succeeded.ShouldBe(0);
        _allFailed.Ttft.IsEmpty.ShouldBeTrue();
        _allFailed.Ttft.P50.ShouldBeNull();
        _allFailed.EndToEnd.P95.ShouldBeNull();
        _allFailed.OutputTokensPerSecondPerRequest.TryValueOf(Percentile.P50).ShouldBeNull();
        _allFailed.RequestsPerSecond.Value.ShouldBeNull();
        _allFailed.OutputTokensPerSecond.Value.ShouldBeNull();
        _allFailed.ErrorRate.Value.ShouldBe(1.0, "every started request failed: that is measured");
        _allFailed.NotMeasuredReason().ShouldBe("not measured: 0 of 10 requests succeeded (errors by key: rate-limited × 10)");
    }

    [Test]
    public void Reading_a_figure_of_nothing_is_an_error_not_zero()
    {
        Should.Throw<NotMeasuredException>(() => _allFailed.Ttft.ValueOf(Percentile.P50)).Message.ShouldContain("TTFT was not measured");
        Should.Throw<NotMeasuredException>(() => _allFailed.OutputTokensPerSecond.Measured);
        _allFailed.Ttft.Format(Percentile.P95).ShouldBe("—");
    }

    [TestCase("p95 ttft < 500 ms")]
    [TestCase("p50 tpot < 2.5 ms")]
    [TestCase("max e2e < 10 s")]
    [TestCase("output tokens/s >= 100")]
    [TestCase("requests/s > 1")]
    public void A_budget_on_an_all_failed_run_is_neither_met_nor_missed(string budget)
    {
        var verdict = Budget.Parse(budget).Evaluate(_allFailed);
        verdict.Outcome.ShouldBe(BudgetOutcome.NotMeasured);
        verdict.Passed.ShouldBeFalse();
        verdict.Missed.ShouldBeFalse("a budget on zero samples is not missed either: 0 < 500 must never read as met, nor as missed");
        verdict.Measured.ShouldBeNull();
        verdict.Explanation.ShouldContain("not measured: 0 of 10 requests succeeded");
        verdict.Explanation.ShouldContain("(errors by key: rate-limited × 10)");
        verdict.Explanation.ShouldContain("neither met nor missed");
    }

    [Test]
    public void A_percentile_budget_needs_its_minimum_of_samples()
    {
        _fewSucceeded.Succeeded.ShouldBe(5);
        Budget.Parse("p50 ttft < 10 s").Evaluate(_fewSucceeded).Outcome.ShouldBe(BudgetOutcome.Met, "a median needs 3 samples");
        var p95 = Budget.Parse("p95 ttft < 10 s").Evaluate(_fewSucceeded);
        p95.Outcome.ShouldBe(BudgetOutcome.NotMeasured, "a P95 of 5 samples is only their maximum");
        p95.Explanation.ShouldContain("not measured: 5 of 10 requests succeeded, 20 needed (errors by key: overloaded × 5)");
        Percentile.P95.MinimumSamples().ShouldBe(20);
        Budget.Parse("p99 e2e < 1 s").MinimumSamples.ShouldBe(100);
        Budget.Parse("output tokens/s >= 1").MinimumSamples.ShouldBe(1);
    }

    [Test]
    public void The_results_file_writes_nothing_measured_as_null_and_reads_it_back()
    {
        var folder = Directory.CreateTempSubdirectory("not-measured-");
        var document = new BenchmarkDocument { Metadata = RunMetadata.Capture("simulated"), Scenarios = [_allFailed] };
        var path = document.Save(folder.FullName);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var ttft = json.RootElement.GetProperty("scenarios")[0].GetProperty("ttft");
        ttft.GetProperty("count").GetInt64().ShouldBe(0);
        ttft.GetProperty("p50").ValueKind.ShouldBe(JsonValueKind.Null);
        json.RootElement.GetProperty("scenarios")[0].GetProperty("outputTokensPerSecond").GetProperty("value").ValueKind.ShouldBe(JsonValueKind.Null);
        var read = BenchmarkDocument.Load(path);
        read.Scenarios[0].Ttft.IsEmpty.ShouldBeTrue();
        read.Scenarios[0].RequestsPerSecond.Value.ShouldBeNull();
        folder.Delete(recursive: true);
    }

    [Test]
    public void The_Markdown_report_shows_a_dash_and_the_reason_never_zero()
    {
        var markdown = MarkdownReport.Render(new BenchmarkDocument { Metadata = RunMetadata.Capture("simulated"), Scenarios = [_allFailed] });
        var row = markdown.Split('\n').First(l => l.StartsWith("| groq | llama-3.1-8b-instant |", StringComparison.Ordinal));
        row.ShouldBe("| groq | llama-3.1-8b-instant | closed-loop c=2 | 10 | 100.0 % | — | — | — | — | — | — | — |");
        markdown.ShouldContain("not measured: 0 of 10 requests succeeded (errors by key: rate-limited × 10)");
        markdown.ShouldNotContain("| 0.00 |");
    }

    [Test]
    public void The_charts_draw_no_bar_and_no_point_for_a_run_that_measured_nothing()
    {
        var svg = SvgCharts.LatencyPercentiles([_allFailed]);
        svg.ShouldNotContain(" ms</title></rect>", Case.Sensitive, "a bar of a run that measured nothing would read as a figure");
        svg.ShouldContain("not measured: 0 of 10 requests succeeded", Case.Sensitive, "the mark in the bar's place says why");
        svg.ShouldContain("(not measured)");
        var sweep = SvgCharts.ThroughputVsLoad([new SweepResult("groq", "llama-3.1-8b-instant", "concurrency", [_allFailed])]);
        sweep.ShouldNotContain("<circle");
        sweep.ShouldContain("not measured at 2");
    }
}
