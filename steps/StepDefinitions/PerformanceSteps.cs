using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Runner;
using ProviderSpecs.Steps.Hooks;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

[Binding]
public sealed class PerformanceSteps(PerformanceDriver performance, ScenarioContext scenario, IReqnrollOutputHelper output)
{
    private string Scenario => scenario.ScenarioInfo.Title + " " + string.Join(",", scenario.ScenarioInfo.Arguments.Values.Cast<object>());

    [Given("{ProviderDefinition} is twice as slow as its latency profile")]
    public void GivenTwiceAsSlow(ProviderDefinition provider) => performance.SlowDown(provider, 2.0);

    [Given("{ProviderDefinition} rate-limits the next {int} requests asking to retry after {double} seconds")]
    public void GivenRateLimits(ProviderDefinition provider, int count, double seconds) =>
        performance.RateLimitNext(provider, count, TimeSpan.FromSeconds(seconds), Scenario);

    [LiveSpend(nameof(OneMeasurement))]
    [When(@"^(\d+) (streamed|non-streamed) completions of ""(.*)"" on (Groq|Together AI) are measured at concurrency (\d+)$")]
    public Task WhenMeasured(int requests, string mode, string model, ProviderDefinition provider, int concurrency) =>
        performance.MeasureAsync(provider, model, requests, concurrency, mode == "streamed", Scenario);

    [LiveSpend(nameof(OneMeasurementWithRetries))]
    [When(@"^(\d+) streamed completions of ""(.*)"" on (Groq|Together AI) are measured at concurrency (\d+) with (\d+) retries$")]
    public Task WhenMeasuredWithRetries(int requests, string model, ProviderDefinition provider, int concurrency, int retries) =>
        performance.MeasureAsync(provider, model, requests, concurrency, streaming: true, Scenario, retries);

    [LiveSpend(nameof(MeasurementsAtLevels))]
    [When(@"^streamed completions of ""(.*)"" on (Groq|Together AI) are measured at concurrency (\d+), (\d+) and (\d+)$")]
    public async Task WhenMeasuredAtLevels(string model, ProviderDefinition provider, int low, int middle, int high)
    {
        foreach (var concurrency in new[] { low, middle, high })
            await performance.MeasureAsync(provider, model, requests: RequestsAtLevel(concurrency), concurrency, streaming: true, Scenario);
    }

    [Then("every measured request succeeded")]
    public void ThenEveryRequestSucceeded() => performance.EveryRequestShouldSucceed();

    [Then("the budget {string} is met")]
    public void ThenTheBudgetIsMet(string budget) => output.WriteLine(performance.BudgetShouldBeMet(budget).Explanation);

    [Then("the budget {string} is missed")]
    public void ThenTheBudgetIsMissed(string budget) => output.WriteLine(performance.BudgetShouldBeMissed(budget).Explanation);

    [Then(@"^output tokens per second at concurrency (\d+) are at least ([\d.]+) times those at concurrency (\d+)$")]
    public void ThenThroughputGrows(int high, double factor, int low) =>
        output.WriteLine(performance.ThroughputShouldGrow(MeasuredProvider(), MeasuredModel(), low, high, factor));

    [Then(@"^streaming shows the first token of ""(.*)"" on (Groq|Together AI) before a non-streamed answer is complete$")]
    public void ThenStreamingShowsFirstTokenSooner(string model, ProviderDefinition provider) =>
        output.WriteLine(performance.StreamingShouldShowFirstTokenBeforeCompleteAnswer(provider, model, performance.Last.Load.MaxConcurrency));

    [Then(@"^""(.*)"" on (Groq|Together AI) beats ""(.*)"" on (Groq|Together AI) on (time to first token|output tokens per second) at concurrency (\d+)$")]
    public void ThenBeats(string fasterModel, ProviderDefinition faster, string slowerModel, ProviderDefinition slower, string metric, int concurrency) =>
        output.WriteLine(performance.ShouldBeFaster(metric, faster.Id, fasterModel, slower.Id, slowerModel, concurrency));

    [Then("the measured time to first token is within {int} ms of the served one at the median")]
    public void ThenMeasuredMatchesServed(int milliseconds) => output.WriteLine(performance.MeasuredFirstTokenShouldMatchServed(milliseconds));

    [AfterFeature("performance_benchmarks")]
    public static void WriteThePerformanceReport() =>
        PerformanceDriver.WriteReport(SuiteLocation.For(typeof(PerformanceSteps).Assembly).ReportsDirectory, TargetHooks.Current.Kind);

    private ProviderDefinition MeasuredProvider() => performance.LastProvider;
    private string MeasuredModel() => performance.Last.Model;

    private static int RequestsAtLevel(int concurrency) => Math.Max(8, concurrency * 3);

    private static LiveSpend OneMeasurement(StepSpendQuery step) => PerformanceDriver.SpendOf(step.Int(0), step.Int(4), step.Target);

    private static LiveSpend OneMeasurementWithRetries(StepSpendQuery step) => PerformanceDriver.SpendOf(step.Int(0), step.Int(3), step.Target);

    private static LiveSpend MeasurementsAtLevels(StepSpendQuery step) =>
        new[] { step.Int(2), step.Int(3), step.Int(4) }.Aggregate(LiveSpend.None, (sum, c) => sum + PerformanceDriver.SpendOf(RequestsAtLevel(c), c, step.Target));
}
