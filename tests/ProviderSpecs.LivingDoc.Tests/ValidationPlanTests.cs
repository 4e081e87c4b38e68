using AngleSharp.Dom;

namespace ProviderSpecs.LivingDoc.Tests;

/// <summary>
/// The validation plan in the living doc's validation report: every item with the examples its selectors match and their
/// result per run, an item nothing matches shown as not covered — for the samples, and for this repository's own plan.
/// </summary>
public class ValidationPlanTests
{
    private LivingDocResult result = null!;
    private IDocument page = null!;

    [OneTimeSetUp]
    public void GenerateFromEverySample()
    {
        result = LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder()));
        page = Samples.Parse(result.OutputPath!);
    }

    private IElement Item(string name) =>
        page.QuerySelectorAll("table.validation-plan tr.plan-item").Single(r => r.QuerySelectorAll("td")[1].TextContent == name);

    [Test]
    public void Every_item_of_the_plan_is_listed_in_order_with_its_area()
    {
        var rows = page.QuerySelectorAll("table.validation-plan tr.plan-item").Select(r => (r.QuerySelectorAll("td")[0].TextContent, r.QuerySelectorAll("td")[1].TextContent)).ToList();
        rows.ShouldBe([
            ("Providers", "The registry knows Groq"), ("Providers", "Together AI lists its models"),
            ("Reliability", "Faults end in their error key"), ("Performance", "Cost stays within budget")]);
        page.QuerySelector("#validation-plan + p")!.TextContent.ShouldContain("3 of 4 items covered");
        result.Problems.ShouldNotContain(p => p.Input.Contains(ValidationPlan.FileName));
    }

    [Test]
    public void An_item_lists_each_example_it_covers_with_its_result_per_run()
    {
        var item = Item("Faults end in their error key");
        item.GetAttribute("data-covered").ShouldBe("true");
        var examples = item.QuerySelectorAll("table.plan-scenarios tr").ToList();
        // "reported" under @reliability_validation: the timeout and the stream scenarios; "retried" in faults.feature: the overload one.
        examples.Select(e => e.QuerySelector("a")!.TextContent).ShouldBe(
            ["A timeout is reported as timeout", "Overload is retried", "Streams that stop are reported"]);
        examples[0].QuerySelectorAll("td[title]").Select(c => c.GetAttribute("title")).ShouldBe(["simulated: failed", "live: not executed"]);
        examples[0].QuerySelector("a")!.GetAttribute("href").ShouldStartWith("#f-reliability-faults--");
        var perRun = item.QuerySelectorAll("td.vcell").Select(c => (c.GetAttribute("data-run"), c.TextContent, c.ClassName)).ToList();
        perRun[0].Item1.ShouldBe("simulated");
        perRun[0].Item3!.ShouldContain("st-failed");
        perRun[0].Item2.ShouldStartWith("1/3");
    }

    [Test]
    public void Words_can_pick_one_row_of_an_outline()
    {
        var item = Item("Together AI lists its models");
        item.QuerySelectorAll("table.plan-scenarios tr a").Select(a => a.TextContent).ShouldBe(["Every provider lists models (together_ai, 5)"]);
        item.QuerySelector("td.vcell")!.TextContent.ShouldBe("0/1 passed");
    }

    [Test]
    public void An_item_no_scenario_matches_is_shown_as_not_covered_with_its_selectors()
    {
        var item = Item("Cost stays within budget");
        item.GetAttribute("data-covered").ShouldBe("false");
        item.QuerySelector(".plan-uncovered")!.TextContent.ShouldBe("not covered: no scenario matches @performance_benchmarks \"cost\"");
        item.QuerySelectorAll("td.vcell").Select(c => c.TextContent).ShouldAllBe(t => t == "—");
    }

    [Test]
    public void The_run_summary_names_the_items_not_covered()
    {
        var summary = Path.Combine(Samples.NewOutputFolder(), "summary.md");
        LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder()) with { SummaryPath = summary });
        var text = File.ReadAllText(summary);
        text.ShouldContain("## Validation plan\n\n3 of 4 items covered by scenarios. Not covered:\n\n- Performance: Cost stays within budget\n");
    }

    [TestCase("@groq \"lists models\"; faults.feature", 2)]
    [TestCase("`@groq` `registry.feature`", 1)]
    public void Selectors_are_tags_features_and_quoted_words_separated_by_semicolons(string cell, int selectors)
    {
        var parsed = ValidationPlan.ParseSelectors(cell, out var error);
        error.ShouldBeNull();
        parsed.Count.ShouldBe(selectors);
    }

    [Test]
    public void A_selector_that_cannot_be_read_is_a_problem_naming_the_line()
    {
        var folder = Samples.NewOutputFolder();
        var plan = Path.Combine(folder, "plan.md");
        File.WriteAllText(plan, "| area | item | covered by |\n|---|---|---|\n| A | an item | registry \"open |\n");
        var problems = new List<LivingDocProblem>();
        var read = ValidationPlan.Read(plan, problems)!;
        read.Items.ShouldHaveSingleItem().Item.ShouldBe("an item");
        problems.ShouldHaveSingleItem().Input.ShouldBe($"{plan}:3");
        problems[0].Reason.ShouldContain("'registry' is neither a @tag");
    }

    [Test]
    public void A_plan_path_given_that_does_not_exist_is_a_problem()
    {
        var options = Samples.Full(Samples.NewOutputFolder()) with { ValidationPlanPath = Path.Combine(Samples.Root, "no-such-plan.md") };
        var generated = LivingDocGenerator.Generate(options);
        generated.Problems.ShouldContain(p => p.Reason.Contains("validation plan does not exist"));
        Samples.Parse(generated.OutputPath!).QuerySelector("table.validation-plan").ShouldBeNull();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Specs.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Specs.sln) was not found above the test folder.");
    }

    /// <summary>
    /// This repository's plan: every item is covered by at least one scenario, the performance ones select by the
    /// performance tag so new scenarios appear, and every guide snippet resolves.
    /// </summary>
    [Test]
    public void The_suites_own_plan_is_covered_and_its_guide_snippets_resolve()
    {
        var root = RepositoryRoot();
        var generated = LivingDocGenerator.Generate(new LivingDocOptions
        {
            FeaturesDirectory = Path.Combine(root, "features"),
            OutputPath = Path.Combine(Samples.NewOutputFolder(), "living-doc.html"),
            SnippetSourceRoot = root,
        });
        generated.Problems.ShouldBeEmpty(string.Join("\n", generated.Problems.Select(p => $"{p.Input}: {p.Reason}")));
        var doc = Samples.Parse(generated.OutputPath!);
        var items = doc.QuerySelectorAll("table.validation-plan tr.plan-item")
            .Select(r => (Area: r.QuerySelectorAll("td")[0].TextContent, Item: r.QuerySelectorAll("td")[1].TextContent, Covered: r.GetAttribute("data-covered") == "true"))
            .ToList();
        items.Count.ShouldBeGreaterThanOrEqualTo(30);
        items.Select(i => i.Area).Distinct().ShouldBe([
            "Provider availability", "Authentication fallback chain", "Model catalog", "Completions", "Streaming", "Structured output",
            "Errors", "Reliability", "Integration", "Performance"]);
        items.Where(i => !i.Covered).Select(i => i.Item).ShouldBeEmpty("items of the plan no scenario covers");
        var plan = ValidationPlan.Read(Path.Combine(root, "features", ValidationPlan.FileName), [])!;
        plan.Items.Where(i => i.Area == "Performance").ShouldAllBe(i => i.Selectors.All(s => s.Terms.Any(t => t.Value == "@performance_benchmarks")));
    }
}
