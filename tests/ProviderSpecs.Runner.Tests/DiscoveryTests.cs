using ProviderSpecs.Runner.Discovery;
using ProviderSpecs.Runner.NUnitIntegration;

namespace ProviderSpecs.Runner.Tests;

[TestFixture]
public sealed class DiscoveryTests
{
    private static readonly string Features = SampleSuiteRun.Metadata("SampleFeaturesDirectory");

    [Test]
    public void Features_are_found_in_sub_folders_with_their_area()
    {
        var features = FeatureSuite.LoadUncached(Features);
        features.Select(f => f.RelativePath).ShouldBe(["broken.feature", "outcomes.feature", "rules/rules_and_hooks.feature"]);
        features.Single(f => f.Title == "Rules and hooks").Area.ShouldBe("rules");
    }

    [Test]
    public void A_broken_file_carries_its_error_with_file_and_line_instead_of_scenarios()
    {
        var broken = FeatureSuite.LoadUncached(Features).Single(f => f.RelativePath == "broken.feature");
        broken.Scenarios.ShouldBeEmpty();
        broken.ParseError.ShouldNotBeNull().ShouldContain("broken.feature:4:");
    }

    [Test]
    public void Pickles_keep_background_steps_keywords_and_rule_information()
    {
        var rules = FeatureSuite.LoadUncached(Features).Single(f => f.Title == "Rules and hooks");
        var scenario = rules.Scenarios[0];
        scenario.Rule.ShouldNotBeNull().Title.ShouldBe("Doubling");
        scenario.Steps[0].ShouldBe(new StepSpec(StepKind.Given, "Given ", "a counter starting at 2", null, null));
        scenario.Steps.Select(s => s.Keyword.Trim()).ShouldBe(["Given", "When", "Then", "And", "And"]);
        scenario.AllTags.ShouldBe(["hooks", "rule_tag"], ignoreOrder: true);
    }

    [Test]
    public void Outline_rows_are_named_by_their_values_and_carry_examples_tags()
    {
        var outcomes = FeatureSuite.LoadUncached(Features).Single(f => f.Title == "Outcomes");
        var rows = outcomes.Scenarios.Where(s => s.ExampleArguments.Count > 0).ToList();
        rows.Select(r => r.TestName).ShouldBe([
            "an outline over two examples blocks › amount: 1, total: 2",
            "an outline over two examples blocks › amount: 2, total: 3",
            "an outline over two examples blocks › amount: 5, total: 7"]);
        rows[0].OwnTags.ShouldContain("fast");
        rows[2].OwnTags.ShouldNotContain("fast");
        rows[2].ExampleArguments["total"].ShouldBe("7");
    }

    [Test]
    public void Same_named_scenarios_get_unique_test_names()
    {
        var file = Path.Combine(Path.GetTempPath(), $"dup-{Guid.NewGuid():N}.feature");
        File.WriteAllText(file, "Feature: Dup\n  Scenario: same\n    Given x\n  Scenario: same\n    Given y\n");
        FeatureSuite.Parse(file, "dup.feature").Scenarios.Select(s => s.TestName).ShouldBe(["same #1", "same #2"]);
    }

    [Test]
    public void A_missing_features_folder_is_a_clear_error() =>
        Should.Throw<DirectoryNotFoundException>(() => FeatureSuite.LoadUncached("/no/such/features"))
            .Message.ShouldContain("SPECS_FEATURES_DIR");

    [Test]
    public void A_missing_configuration_names_the_file() =>
        Should.Throw<FileNotFoundException>(() => ReqnrollTestRun.ValidateConfiguration("/no/such/reqnroll.json"))
            .Message.ShouldContain("/no/such/reqnroll.json");

    [Test]
    public void An_invalid_configuration_names_the_file_and_line()
    {
        var file = Path.Combine(Path.GetTempPath(), $"reqnroll-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, "{\n  \"runtime\": {\n    \"missingOrPendingStepsOutcome\": \n  }\n}");
        var error = Should.Throw<InvalidDataException>(() => ReqnrollTestRun.ValidateConfiguration(file));
        error.Message.ShouldContain(file);
        error.Message.ShouldContain("line 4");
    }
}
