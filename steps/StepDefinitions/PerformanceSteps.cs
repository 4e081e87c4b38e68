using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Runner;
using ProviderSpecs.Steps.Hooks;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

[Binding]
public sealed class PerformanceSteps(PerformanceDriver performance, WorkloadCostDriver cost, SpecTarget target, ScenarioContext scenario, IReqnrollOutputHelper output)
{
    private const string Provider = "(Groq|Together AI)";
    private const string Statistic = "(median|90th-percentile|95th-percentile|99th-percentile)";
    private const string Figure = "(time to the first word|time per further token|time to the complete answer)";

    private string Scenario => scenario.ScenarioInfo.Title + " " + string.Join(",", scenario.ScenarioInfo.Arguments.Values.Cast<object>());

    [Given("{ProviderDefinition} is twice as slow as its latency profile")]
    public void GivenTwiceAsSlow(ProviderDefinition provider) => performance.SlowDown(provider, 2.0);

    [LiveSpend(nameof(OneMeasurement))]
    [When(@"^(\d+) (streamed|whole) answers of ""(.*)"" from " + Provider + @" are measured, (\d+) at a time$")]
    public Task WhenAnswersMeasured(int answers, string mode, string model, ProviderDefinition provider, int atATime) =>
        performance.MeasureAsync(provider, model, answers, atATime, mode == "streamed", Scenario);

    [LiveSpend(nameof(OneMeasurementFrom))]
    [When(@"^(\d+) streamed answers of ""(.*)"" from " + Provider + @" are measured, (\d+) at a time, (each from a newly started client|looking up the key for every answer)$")]
    public Task WhenAnswersMeasuredFrom(int answers, string model, ProviderDefinition provider, int atATime, string setup) =>
        performance.MeasureAsync(provider, model, answers, atATime, Scenario, ClientSetup.FromWords(setup));

    [LiveSpend(nameof(MeasurementsAtLevels))]
    [When(@"^streamed answers of ""(.*)"" from " + Provider + @" are measured (\d+), (\d+) and (\d+) at a time$")]
    public async Task WhenMeasuredAtLevels(string model, ProviderDefinition provider, int low, int middle, int high)
    {
        foreach (var concurrency in new[] { low, middle, high })
            await performance.MeasureAsync(provider, model, requests: RequestsAtLevel(concurrency), concurrency, streaming: true, Scenario);
    }

    [Then("every measured answer arrived")]
    public void ThenEveryRequestSucceeded() => performance.EveryRequestShouldSucceed();

    [Then("^the " + Statistic + " " + Figure + " stays under (.+)$")]
    public void ThenStaysUnder(string statistic, string figure, string limit) =>
        output.WriteLine(performance.ShouldStayUnder(statistic, figure, limit).Explanation);

    [Then("^the " + Statistic + " " + Figure + " is not under (.+)$")]
    public void ThenIsNotUnder(string statistic, string figure, string limit) =>
        output.WriteLine(performance.ShouldNotStayUnder(statistic, figure, limit).Explanation);

    [Then(@"^answer tokens per second with (\d+) at a time are at least ([\d.]+) times those with (\d+) at a time$")]
    public void ThenThroughputGrows(int high, double factor, int low) =>
        output.WriteLine(performance.ThroughputShouldGrow(MeasuredProvider(), MeasuredModel(), low, high, factor));

    [Then(@"^streaming shows the first word of ""(.*)"" from " + Provider + " before a whole answer is complete$")]
    public void ThenStreamingShowsFirstTokenSooner(string model, ProviderDefinition provider) =>
        output.WriteLine(performance.StreamingShouldShowFirstTokenBeforeCompleteAnswer(provider, model, performance.Last.Load.MaxConcurrency));

    [Then("^" + Provider + @"'s ""(.*)"" starts its answers sooner than " + Provider + @"'s ""(.*)""$")]
    public void ThenStartsSooner(ProviderDefinition sooner, string soonerModel, ProviderDefinition later, string laterModel) =>
        output.WriteLine(performance.ShouldStartSooner(sooner, soonerModel, later, laterModel));

    [Then("^" + Provider + @"'s ""(.*)"" writes its answers faster than " + Provider + @"'s ""(.*)""$")]
    public void ThenWritesFaster(ProviderDefinition faster, string fasterModel, ProviderDefinition slower, string slowerModel) =>
        output.WriteLine(performance.ShouldWriteFaster(faster, fasterModel, slower, slowerModel));

    [Then("the measured time to the first word is within {int} ms of the served one at the median")]
    public void ThenMeasuredMatchesServed(int milliseconds) => output.WriteLine(performance.MeasuredFirstTokenShouldMatchServed(milliseconds));

    // ---- resources ----

    [Then("^starting cold adds at most (.+) to the median time to the first word$")]
    public void ThenColdStartAddsAtMost(string limit) => output.WriteLine(performance.ColdStartShouldAddAtMost(MeasuredProvider(), MeasuredModel(), limit));

    [Then(@"^at most (\d+) in (\d+) answers needed a new connection$")]
    public void ThenNewConnectionsAtMost(int count, int outOf) => output.WriteLine(performance.NewConnectionsShouldBeAtMost(count, outOf));

    [Then("^finding the key takes at most (.+) per answer at the median$")]
    public void ThenKeyLookupAtMost(string limit) => output.WriteLine(performance.KeyLookupShouldTakeAtMost(MeasuredProvider(), MeasuredModel(), limit));

    [Then(@"^the memory allocated per answer with (\d+) at a time is at most ([\d.]+) times that with (\d+) at a time$")]
    public void ThenMemoryGrowsAtMost(int loaded, double factor, int alone) =>
        output.WriteLine(performance.MemoryPerAnswerShouldGrowAtMost(MeasuredProvider(), MeasuredModel(), alone, loaded, factor));

    [Then(@"^at most (\d+) in (\d+) answers failed$")]
    public void ThenErrorRateAtMost(int count, int outOf) => output.WriteLine(performance.ErrorRateShouldBeAtMost(count, outOf));

    // ---- cost ----

    [Given(@"^a workload of ([\d,]+) requests, each of ([\d,]+) prompt tokens and ([\d,]+) answer tokens$")]
    public void GivenAWorkload(string requests, string promptTokens, string answerTokens) =>
        cost.StateWorkload(Count(requests), Count(promptTokens), Count(answerTokens));

    [LiveSpend(Reads = 1)]
    [When("^" + Provider + "'s prices are read from its model list$")]
    public Task WhenPricesAreRead(ProviderDefinition provider) => cost.ReadPricesAsync([provider], Scenario);

    [Then("the workload costs")]
    public void ThenTheWorkloadCosts(DataTable costs) =>
        output.WriteLine(cost.CostsShouldBe(costs.Rows.Select(r => (target.ResolveProvider(r["provider"]), r["model"], WorkloadCostDriver.ParseDollars(r["cost"])))));

    [Then("^the workload costs less on " + Provider + @"'s ""(.*)"" than on " + Provider + @"'s ""(.*)""$")]
    public void ThenCostsLess(ProviderDefinition cheaper, string cheaperModel, ProviderDefinition dearer, string dearerModel) =>
        output.WriteLine(cost.ShouldCostLess(cheaper, cheaperModel, dearer, dearerModel));

    [AfterFeature("performance_benchmarks")]
    public static void WriteThePerformanceReport() =>
        PerformanceDriver.WriteReport(SuiteLocation.For(typeof(PerformanceSteps).Assembly).ReportsDirectory, TargetHooks.Current.Kind);

    private ProviderDefinition MeasuredProvider() => performance.LastProvider;
    private string MeasuredModel() => performance.Last.Model;

    private static long Count(string text) => long.Parse(text, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);

    private static int RequestsAtLevel(int concurrency) => Math.Max(8, concurrency * 3);

    private static LiveSpend OneMeasurement(StepSpendQuery step) => PerformanceDriver.SpendOf(step.Int(0), step.Int(4), step.Target);

    private static LiveSpend OneMeasurementFrom(StepSpendQuery step) => PerformanceDriver.SpendOf(step.Int(0), step.Int(3), step.Target);

    private static LiveSpend MeasurementsAtLevels(StepSpendQuery step) =>
        new[] { step.Int(2), step.Int(3), step.Int(4) }.Aggregate(LiveSpend.None, (sum, c) => sum + PerformanceDriver.SpendOf(RequestsAtLevel(c), c, step.Target));
}
