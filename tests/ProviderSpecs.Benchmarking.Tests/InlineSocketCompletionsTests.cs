using ProviderSpecs.Benchmarking.Load;

namespace ProviderSpecs.Benchmarking.Tests;

public class InlineSocketCompletionsTests
{
    [Test]
    public void A_measuring_process_asks_for_inline_completions_when_nobody_chose()
    {
        var environment = new Dictionary<string, string>();
        InlineSocketCompletions.Request(environment.GetValueOrDefault, (name, value) => environment[name] = value).ShouldBeTrue();
        environment.ShouldBe(new Dictionary<string, string> { [InlineSocketCompletions.Variable] = "1" });
    }

    [TestCase("0")]
    [TestCase("1")]
    public void A_value_the_user_set_is_kept(string chosen)
    {
        var environment = new Dictionary<string, string> { [InlineSocketCompletions.Variable] = chosen };
        InlineSocketCompletions.Request(environment.GetValueOrDefault, (name, value) => environment[name] = value).ShouldBeFalse();
        environment[InlineSocketCompletions.Variable].ShouldBe(chosen);
    }

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
