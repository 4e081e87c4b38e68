using AngleSharp.Dom;

namespace ProviderSpecs.LivingDoc.Tests;

public class GeneratorTests
{
    private LivingDocResult result = null!;
    private IDocument page = null!;

    [OneTimeSetUp]
    public void GenerateFromEverySample()
    {
        result = LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder()));
        page = Samples.Parse(result.OutputPath!);
    }

    private IElement Scenario(string name) =>
        page.QuerySelectorAll("details.scenario").Single(e => e.QuerySelector(".scenario-name")!.TextContent == name);

    private static string RunStatus(IElement element, string run) =>
        element.QuerySelectorAll(".run-badge").Single(b => b.GetAttribute("title")!.StartsWith(run + ":", StringComparison.Ordinal)).GetAttribute("title")!;

    [Test]
    public void Counts_features_scenarios_runs_and_matched_results()
    {
        result.ExitCode.ShouldBe(0);
        result.FeatureCount.ShouldBe(3);
        result.ScenarioCount.ShouldBe(8); // 3 + rule's 1 in registry, 5 in faults, broken one not parsed
        result.RunCount.ShouldBe(2);
        result.ResultCount.ShouldBe(8 + 2);
        result.OutputBytes.ShouldBe(new FileInfo(result.OutputPath!).Length);
    }

    [Test]
    public void Scenario_statuses_come_from_the_run()
    {
        Scenario("Groq is registered").GetAttribute("data-status").ShouldBe("passed");
        Scenario("A timeout is reported as timeout").GetAttribute("data-status").ShouldBe("failed");
        Scenario("Overload is retried").GetAttribute("data-status").ShouldBe("pending");
        Scenario("Live-only fault").GetAttribute("data-status").ShouldBe("skipped");
        Scenario("Never run").GetAttribute("data-status").ShouldBe("not-executed");
        Scenario("An unknown name is refused with <script>alert(1)</script>").GetAttribute("data-status").ShouldBe("undefined");
    }

    [Test]
    public void Each_step_shows_its_own_status_per_run()
    {
        var steps = Scenario("Overload is retried").QuerySelectorAll("li.step").Select(s => s.GetAttribute("data-status")).ToList();
        steps.ShouldBe(["passed", "pending", "skipped"]);
        var failing = Scenario("A timeout is reported as timeout").QuerySelectorAll("li.step").Last();
        failing.QuerySelector(".step-runs .st")!.GetAttribute("title").ShouldBe("simulated: failed");
        failing.QuerySelectorAll(".step-runs .st")[1].GetAttribute("title").ShouldBe("live: not executed");
    }

    [Test]
    public void Each_example_row_shows_its_status_and_its_error()
    {
        var rows = Scenario("Every provider lists models").QuerySelectorAll("tbody tr[data-status]").ToList();
        rows.Select(r => r.GetAttribute("data-status")).ShouldBe(["passed", "failed"]);
        RunStatus(rows[0], "live").ShouldBe("live: passed");
        RunStatus(rows[1], "live").ShouldBe("live: not executed");
        Scenario("Every provider lists models").QuerySelector("tr.row-outcome pre.error-message")!.TextContent
            .ShouldBe("Expected at least 5 models from together_ai but got 2");
    }

    [Test]
    public void Failed_and_skipped_scenarios_show_their_message_and_attachments_are_included()
    {
        Scenario("A timeout is reported as timeout").QuerySelector("pre.error-message")!.TextContent
            .ShouldBe("Expected error key \"timeout\" but was \"server-error\" <b>not bold</b>");
        Scenario("Live-only fault").QuerySelector("pre.error-message")!.TextContent.ShouldBe("Ignored: needs the live target");
        Scenario("Groq is registered").QuerySelector(".attachment pre")!.TextContent.ShouldBe("GET /models -> 200 (3 models)");
        Scenario("Streams that stop are reported").QuerySelector(".attachment img")!.GetAttribute("src")!.ShouldStartWith("data:image/png;base64,");
    }

    [Test]
    public void A_background_step_shows_the_worst_outcome_of_the_scenarios_it_ran_for()
    {
        var background = page.QuerySelector("#f-providers-registry .background li.step")!;
        background.GetAttribute("data-status").ShouldBe("passed");
        background.QuerySelectorAll(".step-runs .st").Select(s => s.GetAttribute("title")).ShouldBe(["simulated: passed", "live: passed"]);
    }

    [Test]
    public void Data_tables_doc_strings_rules_and_markdown_descriptions_are_rendered()
    {
        Scenario("Groq is registered").QuerySelector("table.datatable th")!.TextContent.ShouldBe("name");
        page.QuerySelector("pre.docstring")!.TextContent.ShouldContain("{\"provider\": \"nope\"}");
        page.QuerySelector("section.rule h5")!.TextContent.ShouldContain("Unknown providers are refused");
        var description = page.QuerySelector("#f-providers-registry .description")!;
        description.QuerySelector("table")!.TextContent.ShouldContain("api.groq.com");
        description.QuerySelector("p a")!.GetAttribute("href").ShouldBe("#f-reliability-faults", "a link to a .feature file leads to its section");
        description.QuerySelector("img")!.GetAttribute("src")!.ShouldStartWith("data:image/png;base64,");
    }

    [Test]
    public void Scenario_names_and_messages_are_escaped_not_injected()
    {
        page.QuerySelectorAll("script").Length.ShouldBe(1, "only the page's own script");
        page.QuerySelectorAll("b").ShouldBeEmpty();
        File.ReadAllText(result.OutputPath!).ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    [Test]
    public void Every_scenario_and_feature_has_a_stable_anchor()
    {
        page.GetElementById("f-reliability-faults--a-timeout-is-reported-as-timeout").ShouldNotBeNull();
        page.GetElementById("f-providers-registry--an-unknown-name-is-refused-with-script-alert-1-script").ShouldNotBeNull();
        var ids = page.QuerySelectorAll("[id]").Select(e => e.Id).ToList();
        ids.ShouldBeUnique();
        page.QuerySelectorAll("#feature-tree a").Select(a => a.GetAttribute("href")![1..]).ShouldAllBe(id => ids.Contains(id));
    }

    [Test]
    public void The_feature_tree_groups_by_folder_with_counts()
    {
        page.QuerySelectorAll("#feature-tree li.area").Select(a => a.GetAttribute("data-area")).ShouldBe(["providers", "reliability", "broken"]);
        page.QuerySelector("#feature-tree li.area[data-area=reliability] .count")!.TextContent.ShouldBe("1 · 5");
    }

    [Test]
    public void A_feature_that_does_not_parse_is_shown_with_file_and_line()
    {
        var broken = page.QuerySelector("section.feature.broken")!;
        broken.TextContent.ShouldContain("broken/bad.feature:5");
        broken.QuerySelector("pre.error")!.TextContent.ShouldContain("(5:3)");
        result.Problems.ShouldContain(p => p.Input == "broken/bad.feature:5");
    }

    [Test]
    public void The_validation_report_counts_per_provider_category_and_run()
    {
        var cells = page.QuerySelectorAll("table.validation tbody tr").ToDictionary(r => r.QuerySelector("th")!.TextContent, r => r.QuerySelectorAll("td").ToList());
        // The feature is tagged @groq: scenario 13 and row 26 passed, row 31 failed, rule scenario 34 is undefined.
        cells["@groq"][0].QuerySelectorAll(".vcell").Select(c => c.TextContent).ShouldBe(["simulated 2/4", "live 2/2"]);
        cells["@together_ai"][1].QuerySelectorAll(".vcell").Select(c => c.TextContent).ShouldBe(["simulated 1/4", "live 0/0"]);
    }

    [Test]
    public void Run_metadata_is_shown()
    {
        var runs = page.QuerySelector("#runs + .table-wrap table")!.TextContent;
        runs.ShouldContain("2026-01-02 08:30 UTC");
        runs.ShouldContain("12 requests · 3,400 tokens · $0.0042");
        runs.ShouldContain("none (simulated providers: no live requests)", Case.Sensitive, "a simulated run spends no live budget, and says so");
        runs.ShouldContain("Reqnroll");
        runs.ShouldContain("ProviderSpecs");
    }

    [Test]
    public void Snippets_are_included_and_an_unresolved_one_is_reported_visibly()
    {
        var guide = page.QuerySelector("#guide-usage")!;
        guide.QuerySelector("pre code")!.TextContent.ShouldBe("var answer = \"Hello from <the> provider\";\nreturn answer;\n");
        guide.TextContent.ShouldContain("From Example.cs lines 8–9");
        guide.QuerySelector("blockquote")!.TextContent.ShouldContain("Unresolved snippet no-such-snippet");
        result.Problems.ShouldContain(p => p.Reason.Contains("'no-such-snippet'"));
    }

    [Test]
    public void Benchmarks_catalog_and_fault_matrix_are_rendered()
    {
        page.QuerySelector("#benchmarks table")!.TextContent.ShouldContain("llama-3.1-8b-instant");
        var chart = page.QuerySelector("#benchmarks figure.chart svg")!;
        chart.QuerySelector("#bar-groq").ShouldNotBeNull();
        chart.QuerySelectorAll("script").ShouldBeEmpty();
        chart.HasAttribute("onload").ShouldBeFalse();
        page.QuerySelectorAll("#model-catalog table tbody tr").Length.ShouldBe(3);
        page.QuerySelector("#catalog-recommendations ~ ul.recommendations")!.TextContent.ShouldContain("lowest cost per token: llama-3.1-8b-instant");
    }

    [Test]
    public void The_page_references_nothing_on_the_network()
    {
        var resources = page.QuerySelectorAll("script[src], link[href], img[src], image, use, iframe, object, embed, source, video, audio")
            .SelectMany(e => new[] { e.GetAttribute("src"), e.GetAttribute("href"), e.GetAttribute("xlink:href") })
            .Where(v => v is not null).ToList();
        resources.ShouldAllBe(v => v!.StartsWith("data:") || v.StartsWith('#'));
        page.QuerySelectorAll("link").ShouldBeEmpty();
        File.ReadAllText(result.OutputPath!).ShouldNotMatch("(src|href)\\s*=\\s*\"https?://[^\"]*\\.(js|css|woff2?|png|svg|jpg)");
    }

    [Test]
    public void Generating_twice_gives_the_same_bytes()
    {
        var again = LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder()));
        File.ReadAllText(again.OutputPath!).ShouldBe(File.ReadAllText(result.OutputPath!));
    }
}
