using AngleSharp.Dom;

namespace ProviderSpecs.LivingDoc.Tests;

/// <summary>The chapters built from measured figures: recommendations and provider comparison from the benchmark
/// result files (Samples/benchmarks/*/benchmark-results.json), the fault matrix (Samples/fault-matrix.json).</summary>
public class FiguresTests
{
    private LivingDocResult result = null!;
    private IDocument page = null!;

    [OneTimeSetUp]
    public void GenerateFromEverySample()
    {
        result = LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder()));
        page = Samples.Parse(result.OutputPath!);
    }

    private IElement Target(string target) => page.QuerySelector($"#recommendations .target-figures[data-target='{target}']")!;

    private static string Use(IElement target, string use) => Collapse(target.QuerySelector($"li[data-use='{use}']")!.TextContent);

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Test]
    public void Interactive_chat_gets_the_lowest_median_P50_time_to_first_token_with_its_figures_and_definition()
    {
        var interactive = Use(Target("simulated"), "interactive");
        // groq/llama-3.1-8b-instant: runs at 160, 170 and (deliberately slowed) 400 ms → median 170; P95 280, 300, 700 → 300.
        interactive.ShouldContain("Interactive chat → groq / llama-3.1-8b-instant: lowest time to first token, P50 170 ms, P95 300 ms");
        interactive.ShouldContain("3 clean runs, 100 requests");
        interactive.ShouldContain("next groq / llama-3.3-70b-versatile P50 200 ms, P95 260 ms");
        interactive.ShouldContain("For the steadiest tail, groq / llama-3.3-70b-versatile has the lowest P95: 260 ms");
        interactive.ShouldContain("Metric: TTFT — llmperf/vLLM TTFT: request start to first chunk with content.");
    }

    [Test]
    public void Long_generations_get_the_highest_per_request_output_speed()
    {
        var generation = Use(Target("simulated"), "long-generation");
        generation.ShouldContain("Long generations → groq / llama-3.1-8b-instant: highest output speed per request, 140 tok/s P50 (TPOT P50 1.60 ms)");
        generation.ShouldContain("next groq / llama-3.3-70b-versatile 90.0 tok/s");
        generation.ShouldContain("llmperf per-request throughput: output tokens ÷ e2e");
    }

    [Test]
    public void Bulk_work_gets_the_most_output_speed_per_dollar_from_the_catalog_price()
    {
        var bulk = Use(Target("simulated"), "bulk");
        // 140 tok/s ÷ $0.08 = 1,750; 70b-versatile 90 ÷ 0.79 = 113.9; together 34.5 ÷ 0.88 = 39.2.
        bulk.ShouldContain("Bulk and batch work → groq / llama-3.1-8b-instant: most output speed per dollar, 1,750 tok/s per $/1M = 140 tok/s ÷ $0.08 per 1M output tokens");
        bulk.ShouldContain("next groq / llama-3.3-70b-versatile 114 tok/s per $/1M");
    }

    [Test]
    public void The_cost_of_a_workload_stands_next_to_each_models_time_to_first_token_cheapest_first()
    {
        var cost = Use(Target("simulated"), "workload-cost");
        // 1,000 × (500 × input + 200 × output) ÷ 1M: 8b 0.05/0.08 → $0.041; 70b-versatile 0.59/0.79 → $0.453; Together 0.88/0.88 → $0.616.
        cost.ShouldContain("Cost of a workload (1,000 requests of 500 prompt + 200 answer tokens) → groq / llama-3.1-8b-instant: cheapest, $0.041 at TTFT P50 170 ms.");
        cost.ShouldContain("Every measured model: groq / llama-3.1-8b-instant $0.041 · 170 ms, groq / llama-3.3-70b-versatile $0.453 · 200 ms, together_ai / meta-llama/Llama-3.3-70B-Instruct-Turbo $0.616 · 490 ms.");
        cost.ShouldNotContain("answering sooner costs more", Case.Sensitive, "the cheapest model is also the soonest here");
        Target("simulated").QuerySelector("table.comparison thead")!.TextContent.ShouldContain("Cost of 1,000 requests of 500 prompt + 200 answer tokens");
    }

    [Test]
    public void When_the_cheapest_model_is_not_the_soonest_the_recommendation_says_what_answering_sooner_costs()
    {
        var output = Samples.NewOutputFolder();
        var catalog = Path.Combine(output, "catalog.json");
        File.WriteAllText(catalog, """
            [{"provider":"groq","id":"llama-3.1-8b-instant","priceInPer1M":5,"priceOutPer1M":5},
             {"provider":"groq","id":"llama-3.3-70b-versatile","priceInPer1M":0.59,"priceOutPer1M":0.79},
             {"provider":"together_ai","id":"meta-llama/Llama-3.3-70B-Instruct-Turbo","priceInPer1M":0.88}]
            """);
        var generated = LivingDocGenerator.Generate(Samples.Full(output) with { CatalogPath = catalog, Workload = new CostWorkload(10, 1000, 1000) });
        var cost = Collapse(Samples.Parse(generated.OutputPath!).QuerySelector("#recommendations .target-figures[data-target='simulated'] li[data-use='workload-cost']")!.TextContent);
        // 10 × (1,000 × 0.59 + 1,000 × 0.79) ÷ 1M = $0.0138; 10 × (5,000 + 5,000) ÷ 1M = $0.10.
        cost.ShouldContain("(10 requests of 1,000 prompt + 1,000 answer tokens) → groq / llama-3.3-70b-versatile: cheapest, $0.0138 at TTFT P50 200 ms; answering sooner costs more: groq / llama-3.1-8b-instant $0.10 at TTFT P50 170 ms.");
        cost.ShouldContain("Not priced (a price missing in the catalog): together_ai / meta-llama/Llama-3.3-70B-Instruct-Turbo.");
    }

    [Test]
    public void Simulated_figures_are_labelled_as_the_simulators_latency_profiles_and_live_ones_are_not()
    {
        Target("simulated").QuerySelector(".notice")!.TextContent.ShouldContain("simulators' latency profiles — the providers' published speeds");
        var live = Target("live");
        live.TextContent.ShouldNotContain("latency profiles");
        live.QuerySelector(".notice")!.TextContent.ShouldContain("measured against the real provider APIs");
        Use(live, "interactive").ShouldContain("groq / llama-3.1-8b-instant: lowest time to first token, P50 230 ms, P95 410 ms");
        page.QuerySelectorAll("#recommendations .target-figures").Select(t => t.GetAttribute("data-target")).ShouldBe(["simulated", "live"]);
    }

    [Test]
    public void The_provider_comparison_puts_groq_and_together_ai_side_by_side()
    {
        var rows = Target("simulated").QuerySelectorAll("table.comparison tbody tr")
            .Select(r => r.Children.Select(c => Collapse(c.TextContent)).ToList()).ToList();
        rows.Select(r => (r[0], r[1])).ShouldBe([
            ("groq", "llama-3.1-8b-instant"), ("groq", "llama-3.3-70b-versatile"), ("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo")]);
        // provider, model, runs · requests, TTFT P50, TTFT P95, TPOT P50, tok/s per request, peak run throughput, error rate
        rows[0].Skip(2).ShouldBe(["3 · 100", "170 ms", "300 ms", "1.60 ms", "140 tok/s", "900 tok/s closed-loop c=8", "0 % 0/100", "$0.041"]);
        rows[1][8].ShouldBe("5.0 % 1/20");
        // Together AI: the streamed c=4 run and the sweep point count; the non-streamed and the rate-limited runs do not.
        rows[2].Skip(2).Take(5).ShouldBe(["2 · 68", "490 ms", "925 ms", "10.8 ms", "34.5 tok/s"]);
        Target("simulated").TextContent.ShouldContain("Left out of these figures: 1 run(s) non-streamed (their first token is the whole answer), 1 run(s) with rate-limit responses.");
        Target("simulated").QuerySelector("dl.metric-defs")!.TextContent.ShouldContain("vLLM TPOT: (e2e − TTFT) ÷ (output tokens − 1), per request");
    }

    [Test]
    public void Unreadable_and_newer_benchmark_results_are_listed_as_not_included()
    {
        var output = Samples.NewOutputFolder();
        var bad = LivingDocGenerator.Generate(Samples.Full(output) with { BenchmarksDirectory = Samples.Path_("benchmarks-bad") });
        bad.ExitCode.ShouldBe(0);
        bad.Problems.ShouldContain(p => p.Input == "unreadable/benchmark-results.json" && p.Reason.Contains("not valid JSON"));
        bad.Problems.ShouldContain(p => p.Input == "newer-schema/benchmark-results.json" && p.Reason.Contains("schemaVersion 2"));
        var badPage = Samples.Parse(bad.OutputPath!);
        badPage.QuerySelector("#problems")!.TextContent.ShouldContain("newer-schema/benchmark-results.json");
        badPage.QuerySelector("#recommendations .notice.warn")!.TextContent.ShouldContain("No benchmark results could be read");
        badPage.QuerySelectorAll("#recommendations li[data-use]").ShouldBeEmpty();
    }

    [Test]
    public void A_benchmarks_folder_without_result_files_says_so()
    {
        var output = Samples.NewOutputFolder();
        var empty = Path.Combine(output, "benchmarks");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "notes.md"), "# Notes only");
        var generated = LivingDocGenerator.Generate(Samples.Full(output) with { BenchmarksDirectory = empty });
        generated.Problems.ShouldContain(p => p.Input == empty && p.Reason.Contains("No benchmark-results.json"));
    }

    [Test]
    public void Without_a_catalog_bulk_work_is_not_ranked_and_says_why()
    {
        var output = Samples.NewOutputFolder();
        var generated = LivingDocGenerator.Generate(Samples.Full(output) with { CatalogPath = null });
        var bulk = Samples.Parse(generated.OutputPath!).QuerySelector("#recommendations .target-figures[data-target='simulated'] li[data-use='bulk']")!;
        Collapse(bulk.TextContent).ShouldContain("not ranked: no model catalog was given");
    }

    [Test]
    public void The_median_ignores_one_outlier_among_three()
    {
        BenchmarkFigures.Median([160, 170, 400]).ShouldBe(170);
        BenchmarkFigures.Median([480, 500]).ShouldBe(490);
        BenchmarkFigures.Median([]).ShouldBeNull();
    }

    [Test]
    public void The_fault_matrix_has_a_row_per_fault_and_a_column_per_provider_and_mode()
    {
        var table = page.QuerySelector("#fault-matrix table.fault-matrix")!;
        table.QuerySelectorAll("thead tr:first-child th.provider-head").Select(h => (h.TextContent, h.GetAttribute("colspan"))).ShouldBe([("groq", "2"), ("together_ai", "2")]);
        table.QuerySelectorAll("thead tr:nth-child(2) th").Select(h => h.TextContent).ShouldBe(["non-streaming", "streaming", "non-streaming", "streaming"]);
        table.QuerySelectorAll("tbody tr").Select(r => r.GetAttribute("data-fault")).ShouldBe(["rate-limit", "timeout"]);

        var timeout = table.QuerySelectorAll("tbody tr[data-fault='timeout'] td").Select(c => Collapse(c.TextContent)).ToList();
        timeout.ShouldBe(["✓passed: timeout 1,500 ms", "not tested", "✗failed: server-error 1,520 ms expected timeout", "not tested"]);
        table.QuerySelector("tbody tr[data-fault='timeout'] td[data-provider='together_ai'][data-mode='non-streaming']")!.ClassList.ShouldContain("st-failed");
        table.QuerySelectorAll("tfoot td").Select(c => c.TextContent).ShouldBe(["2/2", "1/1", "0/1", "1/1"]);
        Collapse(page.QuerySelector("#fault-matrix > p")!.TextContent).ShouldStartWith("Each fault injected into each provider, streamed and not, and the error key the provider layer reported: 4 of 5 as expected, 1 not.");
    }

    [Test]
    public void A_run_the_benchmark_marks_with_a_condition_never_counts_as_clean()
    {
        var ttft = new Percentiles(170, 300, 40, "llmperf/vLLM TTFT", "ms");
        var clean = new BenchmarkRunFigures("r.json", "simulated", "groq", "llama-3.1-8b-instant", "closed-loop c=8", Streamed: true,
            Started: 40, Failed: 0, RateLimitedResponses: 0, ttft, null, null, null, null);

        BenchmarkFigures.IsClean(clean).ShouldBeTrue();
        BenchmarkFigures.IsClean(clean with { Conditions = ["latency profile ×2"] }).ShouldBeFalse();
    }
}
