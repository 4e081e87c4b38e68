using AngleSharp.Dom;

namespace ProviderSpecs.LivingDoc.Tests;

/// <summary>The catalog drift section: fed from a sample of <c>reports/catalog-drift.json</c> as the catalog driver writes it.</summary>
public class CatalogDriftTests
{
    private IDocument page = null!;

    [OneTimeSetUp]
    public void Generate() => page = Samples.Parse(LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder())).OutputPath!);

    private IElement Provider(string id) => page.QuerySelector($"#catalog-drift article.drift[data-provider='{id}']")
        ?? throw new AssertionException($"no drift article for {id}");

    private static IReadOnlyList<string> Ids(IElement article, string list) =>
        article.QuerySelectorAll($"details.drift-list[data-drift='{list}'] li code").Select(c => c.TextContent).ToList();

    [Test]
    public void The_section_is_linked_from_the_contents() =>
        page.QuerySelector(".toc a[href='#catalog-drift']").ShouldNotBeNull();

    [Test]
    public void Drift_shows_each_list_with_the_snapshot_date()
    {
        var together = Provider("together_ai");
        together.QuerySelector("h3")!.TextContent.ShouldBe("Together AI");
        together.QuerySelector("p.muted")!.TextContent.ShouldContain("Read on the live target on 2026-08-03 09:15 UTC, compared with the snapshot of 2026-07-02");
        Ids(together, "listed-not-in-snapshot").ShouldBe(["moonshotai/Kimi-K3", "zai-org/GLM-6"]);
        Ids(together, "in-snapshot-not-listed").ShouldBe(["meta-llama/Meta-Llama-3-8B-Instruct-Lite"]);
        Ids(together, "named-not-listed").ShouldBe(["meta-llama/Meta-Llama-3-8B-Instruct-Lite"]);
        together.QuerySelector("details[data-drift='in-snapshot-not-listed'] summary")!.TextContent
            .ShouldBe("In the snapshot of 2026-07-02, no longer listed by Together AI 1");
        together.QuerySelector("details[data-drift='named-not-listed'] summary")!.TextContent.ShouldStartWith("Named in scenarios, not listed by Together AI: update these scenarios");
        together.QuerySelector(".drift-none").ShouldBeNull();
    }

    [Test]
    public void A_provider_without_drift_says_so()
    {
        var groq = Provider("groq");
        groq.QuerySelectorAll("details.drift-list").ShouldBeEmpty();
        groq.QuerySelector(".drift-none")!.TextContent.ShouldBe("No drift: every model Groq listed is in the snapshot of 2026-07-02, and every model of the snapshot is listed.");
    }

    [Test]
    public void Providers_come_in_the_usual_order() =>
        page.QuerySelectorAll("#catalog-drift article.drift").Select(a => a.GetAttribute("data-provider")).ShouldBe(["groq", "together_ai"]);

    [Test]
    public void A_missing_drift_file_is_a_problem_and_no_section()
    {
        var missing = Samples.Path_("no-such-catalog-drift.json");
        var result = LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder()) with { CatalogDriftPath = missing });
        result.Problems.ShouldContain(p => p.Input == missing && p.Reason.Contains("catalog drift"));
        Samples.Parse(result.OutputPath!).QuerySelector("#catalog-drift").ShouldBeNull();
    }

    [Test]
    public void A_drift_file_of_another_shape_is_a_problem_naming_the_shape()
    {
        var result = LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder()) with { CatalogDriftPath = Samples.Path_("simulated.run.json") });
        result.Problems.ShouldContain(p => p.Reason.Contains("catalog drift") && p.Reason.Contains("listedNotInSnapshot"));
    }
}
