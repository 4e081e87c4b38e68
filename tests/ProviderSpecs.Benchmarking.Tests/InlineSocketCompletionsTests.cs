using ProviderSpecs.Benchmarking.Load;

namespace ProviderSpecs.Benchmarking.Tests;

public class InlineSocketCompletionsTests
{
    [Test]
    public void The_runtime_says_what_this_process_does_and_reports_name_it()
    {
        // The test host does not set the variable, so its sockets go through the thread pool.
        InlineSocketCompletions.Active.ShouldBe(Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable) == "1");
        InlineSocketCompletions.Describe(true).ShouldContain("inline");
        InlineSocketCompletions.Describe(false).ShouldContain("thread pool");
        InlineSocketCompletions.Describe(null).ShouldContain("does not say");
    }
}

public class MeasuringRuntimeTests
{
    [Test]
    public void A_process_nobody_set_up_lacks_inline_completions_and_the_gen0_budget()
    {
        var missing = MeasuringRuntime.Missing(_ => null);
        missing.ShouldBe(
        [
            new KeyValuePair<string, string>(InlineSocketCompletions.Variable, "1"),
            new KeyValuePair<string, string>(MeasuringRuntime.Gen0BudgetVariable, MeasuringRuntime.Gen0Budget),
        ]);
    }

    [TestCase("0")]
    [TestCase("0x4000000")]
    public void A_value_the_user_set_is_kept_and_only_the_rest_is_missing(string chosen)
    {
        var environment = new Dictionary<string, string> { [MeasuringRuntime.Gen0BudgetVariable] = chosen };
        MeasuringRuntime.Missing(environment.GetValueOrDefault).Select(s => s.Key).ShouldBe([InlineSocketCompletions.Variable]);
        environment[InlineSocketCompletions.Variable] = "0";
        MeasuringRuntime.Missing(environment.GetValueOrDefault).ShouldBeEmpty("a process started with both measures as it is");
    }

    [Test]
    public void Reports_name_the_gen0_budget_or_say_it_is_the_default()
    {
        MeasuringRuntime.DescribeGen0Budget(name => name == MeasuringRuntime.Gen0BudgetVariable ? "0x10000000" : null)
            .ShouldBe("gen-0 budget 0x10000000 (DOTNET_GCgen0size)");
        MeasuringRuntime.DescribeGen0Budget(_ => null).ShouldBe("the runtime's default gen-0 budget");
        MeasuringRuntime.DescribeGen0Budget(_ => "0").ShouldBe("the runtime's default gen-0 budget");
    }
}
