namespace ProviderSpecs.LivingDoc.Tests;

/// <summary>A live run's chapter: its plan next to its spend, the limits it paced under, and every skipped scenario grouped by reason.</summary>
public class LiveRunTests
{
    [Test]
    public void A_live_run_shows_plan_spend_limits_and_the_skipped_scenarios_by_reason()
    {
        var folder = Samples.NewOutputFolder();
        // The sample live run, with one of its scenarios skipped for the live budget and the plan recorded beside it.
        var stream = File.ReadAllText(Samples.Path_("live.ndjson")).Replace(
            """{"testCaseStartedId":"tcs-p13","testStepId":"ts-p13-s11","testStepResult":{"status":"PASSED","duration":{"seconds":0,"nanos":25000000}}""",
            """{"testCaseStartedId":"tcs-p13","testStepId":"ts-p13-s11","testStepResult":{"status":"SKIPPED","duration":{"seconds":0,"nanos":25000000},"message":"live budget spent: 12/12 requests; the request was not sent."}""");
        stream.ShouldContain("live budget spent", Case.Sensitive, "the sample's step result was not found to alter");
        File.WriteAllText(Path.Combine(folder, "live.ndjson"), stream);
        File.WriteAllText(Path.Combine(folder, "live.run.json"), """
            { "label": "live", "target": "live", "date": "2026-01-02T08:30:00Z",
              "liveBudgetSpent": { "requests": 12, "tokens": 3400, "plannedRequests": 20, "plannedTokens": 4000, "maxRequests": 12, "maxTokens": 50000, "refused": 3 },
              "rateLimitsSeen": [ "groq llama-3.1-8b-instant: 30 requests per minute (a 429's message: RPM) — 12 sent, 4 held back (longest 41 s), 1 answered 429" ] }
            """);
        var summary = Path.Combine(folder, "summary.md");
        var result = LivingDocGenerator.Generate(Samples.Full(folder) with
        {
            RunFiles = [Samples.Path_("simulated.ndjson"), Path.Combine(folder, "live.ndjson")], SummaryPath = summary,
        });
        var page = Samples.Parse(result.OutputPath!);

        var chapter = page.QuerySelector("div.live-run").ShouldNotBeNull("a live run gets its own account of plan, spend and skips");
        var text = chapter.TextContent;
        text.ShouldContain("12 requests · 3,400 tokens");
        text.ShouldContain("planned 20 requests · 4,000 tokens; allowed 12 · 50,000; 3 refused");
        text.ShouldContain("30 requests per minute (a 429's message: RPM)");
        text.ShouldContain("live budget spent");
        chapter.QuerySelectorAll("table tbody tr").Single().TextContent.ShouldStartWith("live budget spent1");
        page.QuerySelectorAll("div.live-run").Length.ShouldBe(1, "the simulated run gets no live-run account");

        // The same account in Markdown, for a CI run's summary page.
        var markdown = File.ReadAllText(summary);
        markdown.ShouldContain("## live run — 2026-01-02 08:30 UTC");
        markdown.ShouldContain("Live spend: 12 requests, 3,400 tokens (planned 20 requests, 4,000 tokens; allowed 12 and 50,000); 3 refused by the budget.");
        markdown.ShouldContain("| live budget spent | 1 |");
        markdown.ShouldContain("- groq llama-3.1-8b-instant: 30 requests per minute");
        markdown.ShouldContain("## simulated run");
        markdown.ShouldContain("### Failed", Case.Sensitive, "the simulated sample has a failing scenario, listed with why");
        markdown.ShouldContain("## Catalog drift against the bundled snapshot");
    }
}

/// <summary>A benchmark run whose requests all failed measured nothing: the recommendations and the comparison leave it out.</summary>
public class NotMeasuredFiguresTests
{
    [Test]
    public void A_run_with_no_successful_request_is_left_out_of_recommendations_and_never_shown_as_zero()
    {
        var folder = Samples.NewOutputFolder();
        var benchmarks = Directory.CreateDirectory(Path.Combine(folder, "benchmarks", "live")).FullName;
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Samples.Path_("benchmarks", "live", "benchmark-results.json")))!;
        var scenarios = document["scenarios"]!.AsArray();
        var failed = scenarios[0]!.DeepClone();
        failed["model"] = "openai/gpt-oss-20b";
        failed["succeeded"] = 0;
        failed["failed"] = 10;
        failed["outputTokens"] = 0;
        failed["errorsByKey"] = new System.Text.Json.Nodes.JsonObject { ["rate-limited"] = 10 };
        failed["outputTokensPerSecond"]!["value"] = null;
        failed["requestsPerSecond"]!["value"] = null;
        foreach (var name in new[] { "ttft", "tpot", "interTokenLatency", "endToEnd", "outputTokensPerSecondPerRequest" })
            if (failed[name] is System.Text.Json.Nodes.JsonObject distribution)
                foreach (var field in new[] { "min", "mean", "p50", "p90", "p95", "p99", "p999", "max" })
                {
                    distribution["count"] = 0;
                    distribution[field] = null;
                }
        scenarios.Add(failed);
        File.WriteAllText(Path.Combine(benchmarks, "benchmark-results.json"), document.ToJsonString());

        var result = LivingDocGenerator.Generate(Samples.Full(folder) with { BenchmarksDirectory = Path.Combine(folder, "benchmarks") });
        var page = Samples.Parse(result.OutputPath!);

        var live = page.QuerySelector("#recommendations .target-figures[data-target='live']").ShouldNotBeNull();
        live.TextContent.ShouldContain("llama-3.1-8b-instant", Case.Sensitive, "the measured run is recommended on");
        live.TextContent.ShouldNotContain("gpt-oss-20b", Case.Sensitive, "a run that measured nothing is left out of the recommendations and the comparison");
        live.TextContent.ShouldNotContain("0.0 ms");
    }
}
