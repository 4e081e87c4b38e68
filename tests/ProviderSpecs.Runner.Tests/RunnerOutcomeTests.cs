using ProviderSpecs.Runner.NUnitIntegration;

namespace ProviderSpecs.Runner.Tests;

/// <summary>The sample features' NUnit outcomes are what their content says they must be.</summary>
[TestFixture]
public sealed class RunnerOutcomeTests
{
    private SampleSuiteRun _run = null!;

    [OneTimeSetUp]
    public void RunSampleSuite() => _run = SampleSuiteRun.Execute();

    private TestOutcome Outcome(string testName)
    {
        _run.Outcomes.ShouldContainKey(testName, $"Tests that ran: {string.Join(" | ", _run.Outcomes.Keys)}");
        return _run.Outcomes[testName];
    }

    [Test]
    public void Every_pickle_and_the_broken_file_became_one_test() =>
        _run.Outcomes.Count.ShouldBe(13, string.Join(" | ", _run.Outcomes.Keys));

    [Test]
    public void A_failing_sample_suite_makes_dotnet_test_fail() => _run.ExitCode.ShouldNotBe(0);

    [Test]
    public void A_passing_scenario_with_background_table_and_doc_string_passes() =>
        Outcome("a passing scenario with a table and a doc string").Outcome.ShouldBe("Passed");

    [Test]
    public void A_failing_assertion_fails_with_its_message() =>
        Outcome("a failing scenario").ShouldSatisfyAllConditions(
            o => o.Outcome.ShouldBe("Failed"),
            o => o.Message.ShouldContain("Expected: 3"));

    [Test]
    public void An_exception_the_suite_declares_skipping_skips_the_scenario_with_its_message() =>
        Outcome("a scenario skipped by a declared exception").ShouldSatisfyAllConditions(
            o => o.Outcome.ShouldBe("NotExecuted"),
            o => o.Message.ShouldContain("not run here: the sample's outside condition is not met"));

    [Test]
    public void A_declared_skip_is_skipped_in_the_message_stream_too()
    {
        var results = _run.Envelopes().Where(e => e.TryGetProperty("testStepFinished", out _))
            .Select(e => e.GetProperty("testStepFinished").GetProperty("testStepResult")).ToList();
        results.Where(r => r.GetProperty("status").GetString() == "SKIPPED")
            .Select(r => r.TryGetProperty("exception", out var ex) ? ex.GetProperty("message").GetString() : r.TryGetProperty("message", out var m) ? m.GetString() : null)
            .ShouldContain(message => message != null && message.Contains("outside condition is not met"));
    }

    [Test]
    public void Before_the_run_every_scenario_and_the_method_each_step_runs_are_known()
    {
        var selection = File.ReadAllLines(Path.Combine(_run.ReportsDirectory, "selection.txt"));
        selection[0].ShouldBe("filter known: True");
        selection.ShouldContain("a passing scenario with a table and a doc string :: GivenACounterStartingAt(1;rows=0), WhenIncreasedByValues(;rows=2), WhenANoteIsWritten(;rows=0), ThenTheCounterIs(6;rows=0), ThenTheNoteHasLines(2;rows=0)");
        selection.ShouldContain(l => l.StartsWith("an undefined scenario :: GivenACounterStartingAt(1;rows=0)") && !l.Contains("nobody"), "an unbound step is left out");
    }

    [Test]
    public void A_pending_step_fails_the_test() =>
        Outcome("a pending scenario").ShouldSatisfyAllConditions(
            o => o.Outcome.ShouldBe("Failed"),
            o => o.Message.ShouldContain("The step definition is not implemented"));

    [Test]
    public void An_undefined_step_fails_with_the_step_definition_skeleton_in_the_message() =>
        Outcome("an undefined scenario").ShouldSatisfyAllConditions(
            o => o.Outcome.ShouldBe("Failed"),
            o => o.Message.ShouldContain("[When(\"a step nobody has written yet runs\")]"));

    [Test]
    public void An_ambiguous_step_fails_naming_both_bindings() =>
        Outcome("an ambiguous scenario").ShouldSatisfyAllConditions(
            o => o.Outcome.ShouldBe("Failed"),
            o => o.Message.ShouldContain("Ambiguous step definitions"),
            o => o.Message.ShouldContain("WhenBoundTwiceFirst"),
            o => o.Message.ShouldContain("WhenBoundTwiceSecond"));

    [Test]
    public void An_ignored_scenario_is_not_executed() =>
        Outcome("an ignored scenario").Outcome.ShouldBe("NotExecuted");

    [TestCase("an outline over two examples blocks › amount: 1, total: 2", "Passed")]
    [TestCase("an outline over two examples blocks › amount: 2, total: 3", "Passed")]
    [TestCase("an outline over two examples blocks › amount: 5, total: 7", "Failed")]
    public void Each_examples_row_is_its_own_test_named_by_its_values(string name, string outcome) =>
        Outcome(name).Outcome.ShouldBe(outcome);

    [Test]
    public void Rule_background_hooks_context_injection_and_output_work() =>
        Outcome("a rule background runs before the scenario").Outcome.ShouldBe("Passed");

    [Test]
    public void A_failing_hook_fails_its_scenario_with_the_hook_error() =>
        Outcome("a scenario whose before-scenario hook fails").ShouldSatisfyAllConditions(
            o => o.Outcome.ShouldBe("Failed"),
            o => o.Message.ShouldContain("the before-scenario hook failed on purpose"));

    [Test]
    public void A_syntax_error_is_one_failing_test_naming_file_and_line() =>
        Outcome(ScenariosAttribute.ParseErrorTestName).ShouldSatisfyAllConditions(
            o => o.Outcome.ShouldBe("Failed"),
            o => o.Message.ShouldContain("broken.feature:4"));

    [Test]
    public void The_message_stream_has_every_executed_scenario_with_its_step_statuses()
    {
        var envelopes = _run.Envelopes();
        var pickles = envelopes.Where(e => e.TryGetProperty("pickle", out _)).ToList();
        pickles.Count.ShouldBe(12, "every pickle of the two parsable sample features");
        envelopes.Count(e => e.TryGetProperty("testCaseStarted", out _)).ShouldBe(12);

        var statuses = envelopes
            .Where(e => e.TryGetProperty("testStepFinished", out _))
            .Select(e => e.GetProperty("testStepFinished").GetProperty("testStepResult").GetProperty("status").GetString())
            .ToList();
        statuses.ShouldContain("UNDEFINED");
        statuses.ShouldContain("PENDING");
        statuses.ShouldContain("AMBIGUOUS");
        statuses.ShouldContain("FAILED");
        statuses.ShouldContain("SKIPPED");
        statuses.ShouldContain("PASSED");
    }

    [Test]
    public void The_message_stream_carries_the_output_line_and_the_attachment()
    {
        var attachments = _run.Envelopes()
            .Where(e => e.TryGetProperty("attachment", out _))
            .Select(e => e.GetProperty("attachment"))
            .ToList();
        attachments.ShouldContain(a => a.GetProperty("body").GetString() == "sample output line");
        attachments.Select(FileName).ShouldContain(name => name.StartsWith("sample-attachment-"));
    }

    private static string FileName(System.Text.Json.JsonElement attachment) =>
        attachment.TryGetProperty("fileName", out var name) ? name.GetString() ?? "" : "";

    [Test]
    public void The_html_report_is_written_with_the_features() =>
        File.ReadAllText(Path.Combine(_run.ReportsDirectory, "sample.html")).ShouldContain("Rules and hooks");
}
