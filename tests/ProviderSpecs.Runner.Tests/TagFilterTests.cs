namespace ProviderSpecs.Runner.Tests;

/// <summary>Tags of every level are NUnit categories, so `dotnet test --filter TestCategory=…` selects by tag.</summary>
[TestFixture]
public sealed class TagFilterTests
{
    [Test]
    public void An_examples_block_tag_selects_only_its_rows()
    {
        var run = SampleSuiteRun.Execute("TestCategory=fast");
        run.Outcomes.Keys.Order().ShouldBe([
            "an outline over two examples blocks › amount: 1, total: 2",
            "an outline over two examples blocks › amount: 2, total: 3"]);
        run.ExitCode.ShouldBe(0);
    }

    [Test]
    public void A_feature_tag_selects_all_its_scenarios_and_a_rule_tag_is_inherited()
    {
        var run = SampleSuiteRun.Execute("TestCategory=sample|TestCategory=rule_tag");
        run.Outcomes.Count.ShouldBe(11, string.Join(" | ", run.Outcomes.Keys));
        run.Outcomes.ShouldContainKey("a rule background runs before the scenario");
    }

    [Test]
    public void Before_the_run_the_selection_is_what_the_filter_selects()
    {
        var run = SampleSuiteRun.Execute("TestCategory=fast");
        File.ReadAllLines(Path.Combine(run.ReportsDirectory, "selection.txt")).ShouldBe([
            "filter known: True",
            "an outline over two examples blocks › amount: 1, total: 2 :: GivenACounterStartingAt(1;rows=0), WhenIncreasedBy(1;rows=0), ThenTheCounterIs(2;rows=0)",
            "an outline over two examples blocks › amount: 2, total: 3 :: GivenACounterStartingAt(1;rows=0), WhenIncreasedBy(2;rows=0), ThenTheCounterIs(3;rows=0)"]);
    }

    [Test]
    public void A_filter_that_matches_nothing_says_so()
    {
        var run = SampleSuiteRun.Execute("TestCategory=no_such_tag");
        run.Outcomes.ShouldBeEmpty();
        run.Console.ShouldContain("No test matches the given testcase filter");
    }
}
