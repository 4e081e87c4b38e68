using NUnit.Framework;
using Reqnroll;

namespace ProviderSpecs.Runner.SampleSuite.Steps;

/// <summary>Shared state handed to the step classes by context injection.</summary>
public sealed class Counter
{
    public int Value { get; set; }
    public List<string> HookLog { get; } = [];
}

[Binding]
public sealed class SampleSteps(Counter counter, ScenarioContext scenarioContext, FeatureContext featureContext, IReqnrollOutputHelper output)
{
    private string _note = "";

    [Given("a counter starting at {int}")]
    public void GivenACounterStartingAt(int start) => counter.Value = start;

    [When("the counter is increased by the values")]
    public void WhenIncreasedByValues(DataTable values) => counter.Value += values.Rows.Sum(r => int.Parse(r["value"]));

    [When("the counter is increased by {int}")]
    public void WhenIncreasedBy(int amount) => counter.Value += amount;

    [When("the counter is doubled")]
    public void WhenDoubled() => counter.Value *= 2;

    [When("a note is written")]
    public void WhenANoteIsWritten(string docString) => _note = docString;

    [When("a condition outside the system is not met")]
    public void WhenAConditionIsNotMet() => throw new SampleConditionNotMetException("not run here: the sample's outside condition is not met");

    [When("a step that is still pending runs")]
    public void WhenPending() => throw new PendingStepException(); // deliberately pending: the runner must fail it

    [When("a step bound twice runs")]
    public void WhenBoundTwiceFirst() => counter.Value++;

    [When(@"^a step bound twice runs$")]
    public void WhenBoundTwiceSecond() => counter.Value += 2;

    [Then("the counter is {int}")]
    public void ThenTheCounterIs(int expected) => Assert.That(counter.Value, Is.EqualTo(expected));

    [Then("the note has {int} lines")]
    public void ThenTheNoteHasLines(int lines) => Assert.That(_note.Split('\n'), Has.Length.EqualTo(lines));

    [Then("the hooks ran in order")]
    public void ThenTheHooksRanInOrder()
    {
        Assert.That(featureContext.ContainsKey("before-feature"), Is.True, "BeforeFeature hook did not run");
        Assert.That(scenarioContext.RuleInfo?.Title, Is.EqualTo("Doubling"), "the scenario does not know its Rule");
        Assert.That(scenarioContext.ScenarioInfo.CombinedTags, Does.Contain("rule_tag").And.Contain("hooks"));
        Assert.That(counter.HookLog, Is.EqualTo(new[] { "before-scenario", "before-step", "after-step", "before-step", "after-step", "before-step", "after-step", "before-step" }));
    }

    [Then("the run writes an output line and an attachment")]
    public void ThenOutputAndAttachment()
    {
        output.WriteLine("sample output line");
        var path = Path.Combine(Path.GetTempPath(), $"sample-attachment-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "attached text");
        output.AddAttachment(path);
    }
}

/// <summary>Declared on the sample assembly with [SkipScenarioOn]: a step that throws it skips its scenario.</summary>
public sealed class SampleConditionNotMetException(string message) : Exception(message);

[Binding]
public sealed class SampleHooks(Counter counter)
{
    private static int _testRunsStarted;

    /// <summary>
    /// Writes what the run is about to execute — the scenarios the filter selected and the step-definition method each
    /// step matched — to selection.txt in the reports folder, for the runner's own tests.
    /// </summary>
    [BeforeTestRun]
    public static void BeforeTestRun(Reqnroll.Bindings.IBindingRegistry bindings)
    {
        Interlocked.Increment(ref _testRunsStarted);
        var selection = ProviderSpecs.Runner.Planning.RunSelection.Current();
        var matcher = new ProviderSpecs.Runner.Planning.StepBindingMatcher(bindings);
        var lines = selection.Scenarios.Select(s => $"{s.Scenario.TestName} :: "
            + string.Join(", ", matcher.Match(s.Scenario).Select(m => $"{m.Method.Name}({string.Join("|", m.Arguments)};rows={m.TableRows})")));
        var reports = ProviderSpecs.Runner.SuiteLocation.For(typeof(SampleHooks).Assembly).ReportsDirectory;
        Directory.CreateDirectory(reports);
        File.WriteAllLines(Path.Combine(reports, "selection.txt"), [$"filter known: {selection.FilterKnown}", .. lines.Order(StringComparer.Ordinal)]);
    }

    [BeforeFeature("hooks")]
    public static void BeforeFeature(FeatureContext featureContext) => featureContext["before-feature"] = _testRunsStarted;

    [BeforeScenario("rule_tag")]
    public void BeforeScenario() => counter.HookLog.Add("before-scenario");

    [BeforeScenario("failing_hook")]
    public void FailingHook() => throw new InvalidOperationException("the before-scenario hook failed on purpose");

    [BeforeStep("rule_tag")]
    public void BeforeStep() => counter.HookLog.Add("before-step");

    [AfterStep("rule_tag")]
    public void AfterStep() => counter.HookLog.Add("after-step");
}
