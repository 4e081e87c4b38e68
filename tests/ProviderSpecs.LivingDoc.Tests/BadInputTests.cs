namespace ProviderSpecs.LivingDoc.Tests;

public class BadInputTests
{
    [Test]
    public void A_truncated_stream_keeps_its_earlier_lines_and_reports_the_last()
    {
        var output = Samples.NewOutputFolder();
        var result = LivingDocGenerator.Generate(Samples.Full(output) with { RunFiles = [Samples.Path_("runs-truncated")] });
        result.ExitCode.ShouldBe(0);
        result.RunCount.ShouldBe(1);
        result.ResultCount.ShouldBe(8);
        var problem = result.Problems.Single(p => p.Input.EndsWith("truncated.ndjson:71", StringComparison.Ordinal));
        problem.Reason.ShouldContain("truncated");
        Samples.Parse(result.OutputPath!).QuerySelector("#problems")!.TextContent.ShouldContain("truncated.ndjson:71");
    }

    [Test]
    public void Documentation_only_without_runs_and_optional_inputs_works()
    {
        var output = Samples.NewOutputFolder();
        var result = LivingDocGenerator.Generate(new LivingDocOptions { FeaturesDirectory = Samples.Path_("features"), OutputPath = Path.Combine(output, "doc.html") });
        result.ExitCode.ShouldBe(0);
        result.RunCount.ShouldBe(0);
        var page = Samples.Parse(result.OutputPath!);
        page.QuerySelector("#overview")!.TextContent.ShouldContain("Documentation only");
        page.QuerySelectorAll(".run-badge").ShouldBeEmpty();
        page.QuerySelectorAll("details.scenario").Length.ShouldBe(8);
        page.QuerySelector("#glossary table")!.TextContent.ShouldContain("error key");
        page.QuerySelector("#guide-getting-started").ShouldNotBeNull("the built-in guide chapters are included");
    }

    [Test]
    public void Missing_benchmarks_stream_and_data_files_are_reported_not_fatal()
    {
        var output = Samples.NewOutputFolder();
        var result = LivingDocGenerator.Generate(Samples.Full(output) with
        {
            BenchmarksDirectory = Path.Combine(output, "no-benchmarks"),
            RunFiles = [Path.Combine(output, "missing.ndjson")],
            CatalogPath = Samples.Path_("simulated.run.json"),
        });
        result.ExitCode.ShouldBe(0);
        result.Problems.ShouldContain(p => p.Input.EndsWith("no-benchmarks") && p.Reason.Contains("benchmarks folder does not exist"));
        result.Problems.ShouldContain(p => p.Input.EndsWith("missing.ndjson") && p.Reason.Contains("does not exist"));
        result.Problems.ShouldContain(p => p.Input.EndsWith("simulated.run.json") && p.Reason.Contains("not a JSON array"));
        Samples.Parse(result.OutputPath!).QuerySelector("#problems")!.TextContent.ShouldContain("benchmarks folder does not exist");
    }

    [Test]
    public void A_missing_features_folder_is_the_only_fatal_input()
    {
        var output = Samples.NewOutputFolder();
        var result = LivingDocGenerator.Generate(new LivingDocOptions { FeaturesDirectory = Path.Combine(output, "nope"), OutputPath = Path.Combine(output, "doc.html") });
        result.ExitCode.ShouldBe(2);
        result.Problems.ShouldContain(p => p.Reason.Contains("features folder does not exist"));
        File.Exists(result.OutputPath).ShouldBeTrue("the document still says what went wrong");
    }

    [Test]
    public void Results_match_features_by_path_suffix()
    {
        string[] features = ["providers/registry.feature", "registry.feature"];
        ResultIndex.MatchFeature("Features/providers/registry.feature", features).ShouldBe("providers/registry.feature");
        ResultIndex.MatchFeature("registry.feature", features).ShouldBe("registry.feature");
        ResultIndex.MatchFeature("other/unknown.feature", features).ShouldBeNull();
    }
}
