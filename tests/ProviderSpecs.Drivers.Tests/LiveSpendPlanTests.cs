using System.Reflection;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Budget;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>The live plan sums what the selected scenarios' steps declare, and refuses a budget that cannot cover it.</summary>
public sealed class LiveSpendPlanTests
{
    // Step definitions as a suite declares them: a fixed figure, a figure from the step's arguments, a note for later steps.
    private static class Steps
    {
        [LiveSpend(Requests = 1, MaxTokensPerRequest = 200)]
        public static void ACompletion() { }

        [LiveSpend(Reads = 1)]
        public static void ACatalogRead() { }

        [LiveSpend(nameof(Measured))]
        public static void AMeasurement() { }

        [LiveSpend(nameof(Limit))]
        public static void ALimit() { }

        [LiveSpend(nameof(LimitedCompletion))]
        public static void ALimitedCompletion() { }

        public static void NothingSent() { }

        private static LiveSpend Measured(StepSpendQuery step) => LiveSpend.Of(step.Int(0) + (step.Target == TargetKind.Live ? 0 : 100), 32);
        private static LiveSpend Limit(StepSpendQuery step) { step.Scenario["limit"] = step.Int(0); return LiveSpend.None; }
        private static LiveSpend LimitedCompletion(StepSpendQuery step) => LiveSpend.Of(1, step.Scenario.TryGetValue("limit", out var l) ? (int)l : 200);
    }

    private static PlannedStep Step(string method, params string[] arguments) =>
        new(method, typeof(Steps).GetMethod(method, BindingFlags.Public | BindingFlags.Static)!, arguments, 0);

    private static PlannedScenario Scenario(string name, string[] tags, params PlannedStep[] steps) => new("Feature", name, tags, steps);

    private static readonly PlannedScenario[] Selected =
    [
        Scenario("groq completion", ["groq"], Step(nameof(Steps.ACompletion)), Step(nameof(Steps.NothingSent))),
        Scenario("together catalog", ["together_ai"], Step(nameof(Steps.ACatalogRead)), Step(nameof(Steps.ACompletion))),
        Scenario("groq measurement", ["groq", "performance_benchmarks"], Step(nameof(Steps.AMeasurement), "20")),
        Scenario("limited", ["groq"], Step(nameof(Steps.ALimit), "5"), Step(nameof(Steps.ALimitedCompletion))),
        Scenario("fault injection", ["groq", "simulator_only"], Step(nameof(Steps.ACompletion))),
    ];

    private static readonly LiveSpendPlan Plan = LiveSpendPlan.Build(Selected,
        tags => tags.Contains("simulator_only") ? "Skipped on the live target: fault injection" : null, filterKnown: true);

    [Test]
    public void The_plan_is_the_sum_of_what_the_steps_of_the_scenarios_that_run_declare()
    {
        Plan.Total.ShouldBe(new LiveSpend(1 + 2 + 20 + 1, 200 + 200 + 20 * 32 + 5, 24));
        Plan.ScenariosToRun.ShouldBe(4);
        Plan.ScenariosSkipped.ShouldBe(1, "the live target skips the fault-injection scenario, so it spends nothing");
        Plan.ForTag("groq").ShouldBe(new LiveSpend(22, 845, 22));
        Plan.ForTag("together_ai").Requests.ShouldBe(2);
        Plan.Recommended.ShouldBe(new LiveSpend(27, 2000, 27), "the plan plus 10 % for retries, tokens rounded up to a thousand");
    }

    [Test]
    public void A_step_can_spend_differently_per_target() =>
        Selected[2].Spend(TargetKind.Simulated).Requests.ShouldBe(120);

    [Test]
    public void A_budget_that_covers_the_plan_is_accepted() =>
        Plan.Refusal(new LiveBudget(24, 1045)).ShouldBeNull();

    [Test]
    public void A_budget_too_small_is_refused_naming_both_numbers_and_the_variables_to_raise()
    {
        var refusal = Plan.Refusal(new LiveBudget(20, 500)).ShouldNotBeNull();
        refusal.ShouldContain("24 requests but SPECS_LIVE_MAX_REQUESTS allows 20");
        refusal.ShouldContain("1,045 output tokens but SPECS_LIVE_MAX_TOKENS allows 500");
        refusal.ShouldContain("Nothing was sent");
        refusal.ShouldContain("SPECS_LIVE_MAX_REQUESTS=27 SPECS_LIVE_MAX_TOKENS=2000");
    }

    [Test]
    public void The_printed_plan_states_totals_per_provider_and_the_budget_to_set()
    {
        var text = Plan.Describe(new LiveBudget(200, 50_000));
        text.ShouldStartWith("Live plan: 4 scenarios to run will spend at most 24 requests, 1,045 tokens (Groq 22 requests, 845 tokens; Together AI 2 requests, 200 tokens); 1 skipped on the live target.");
        text.ShouldContain("SPECS_LIVE_MAX_REQUESTS=27 SPECS_LIVE_MAX_TOKENS=2000");
    }

    [Test]
    public void The_plan_file_lists_every_scenario_with_its_spend_or_why_it_is_skipped()
    {
        var path = Path.Combine(Path.GetTempPath(), $"live-plan-{Guid.NewGuid():N}.json");
        Plan.Write(path, new LiveBudget(200, 50_000));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        json.RootElement.GetProperty("total").GetProperty("requests").GetInt64().ShouldBe(24);
        json.RootElement.GetProperty("recommended").GetProperty("maxTokens").GetInt64().ShouldBe(2000);
        json.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("scenario").GetString() == "fault injection")
            .GetProperty("skipped").GetString().ShouldBe("Skipped on the live target: fault injection");
        File.Delete(path);
    }

    [Test]
    public void A_plan_method_the_attribute_names_must_exist()
    {
        var broken = typeof(LiveSpendPlanTests).GetMethod(nameof(BrokenDeclaration), BindingFlags.NonPublic | BindingFlags.Static)!;
        Should.Throw<InvalidOperationException>(() => new PlannedStep("x", broken, [], 0).Spend(TargetKind.Live, new Dictionary<string, object>()))
            .Message.ShouldContain("names no method 'static LiveSpend Nowhere(StepSpendQuery step)'");
    }

    [LiveSpend("Nowhere")]
    private static void BrokenDeclaration() { }
}
