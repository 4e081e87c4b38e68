using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Drivers.Reliability;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Runner;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

/// <summary>Reliability: faults at a provider, the retries and timeouts configured for a call, and how the call ended.</summary>
[Binding]
public sealed class ReliabilitySteps(ReliabilityDriver reliability, ScenarioContext scenario)
{
    /// <summary>How much later than its whole-call timeout a call may end on a busy, shared machine.</summary>
    private static readonly TimeSpan SchedulingMargin = TimeSpan.FromMilliseconds(1500);

    private string Title => scenario.ScenarioInfo.Title;

    /// <summary>A fault in the reader's words (<see cref="ReliabilityDriver.FaultWords"/>): "Groq suffers a stalled stream".</summary>
    [Given(@"^(Groq|Together AI) suffers (?!.* after \d+ chunks$)(.+)$")]
    public void GivenAFault(ProviderDefinition provider, string fault) => reliability.InjectFault(provider, fault, Title);

    [Given(@"^(Groq|Together AI) suffers (.+) after (\d+) chunks$")]
    public void GivenAFaultAfterChunks(ProviderDefinition provider, string fault, int chunks) => reliability.InjectFault(provider, fault, Title, afterChunks: chunks);

    [Given("a rate limit at {ProviderDefinition} for the next {int} requests, asking to retry after {double} s")]
    public void GivenARateLimit(ProviderDefinition provider, int requests, double seconds) => reliability.RateLimit(provider, requests, seconds, Title);

    [Given("retries are off")]
    public void GivenRetriesAreOff() => reliability.RetriesOff();

    [Given("retries are allowed up to {int} times, {int} ms apart")]
    public void GivenRetriesAreAllowed(int times, int milliseconds) => reliability.AllowRetries(times, milliseconds);

    [Given("retries wait at most {double} s for a Retry-After")]
    public void GivenRetriesWaitAtMost(double seconds) => reliability.CapRetryAfter(seconds);

    [Given(@"^the timeout for the (first token|whole call) is (\d+) ms$")]
    public void GivenTheTimeout(string which, int milliseconds) => reliability.SetTimeout(which, milliseconds);

    [LiveSpend(Requests = 1, MaxTokensPerRequest = ReliabilityDriver.AnswerTokens)]
    [When(@"^the faulty provider is asked for a (streaming|non-streaming) answer$")]
    public Task WhenTheFaultyProviderIsAsked(string mode) => reliability.AskAsync(mode);

    [LiveSpend(Reads = 1)]
    [When("the faulty provider is asked for its model catalog")]
    public Task WhenTheFaultyProviderIsAskedForItsCatalog() => reliability.AskForCatalogAsync();

    [Then("the provider fails within the configured timeout")]
    public void ThenTheProviderFailsWithinTheConfiguredTimeout() => reliability.ShouldEndWithinConfiguredTimeout(SchedulingMargin);

    [Then(@"^the provider fails between the (first-token|whole-call) timeout and (\d+) ms after it$")]
    public void ThenTheProviderFailsAtTheTimeout(string which, int milliseconds) =>
        reliability.ShouldFailAtTimeout(which, TimeSpan.FromMilliseconds(milliseconds));

    [Then("retries recover the answer after {int} attempts")]
    public void ThenRetriesRecoverTheAnswer(int attempts) => reliability.ShouldRecoverAfter(attempts);

    [Then("retries waited at least the Retry-After the provider asked for")]
    public void ThenRetriesWaitedForRetryAfter() => reliability.RetriesShouldHaveWaitedForRetryAfter();

    [Then("the provider received {int} chat request(s)")]
    public void ThenTheProviderReceived(int requests) => reliability.ProviderShouldHaveReceived(requests);

    [Then("retries stayed within their budget")]
    public void ThenRetriesStayedWithinTheirBudget() => reliability.RetriesShouldStayWithinBudget();

    [Then("the chunks received before the fault are not reported as an answer")]
    public void ThenThePartialStreamIsNotAnAnswer() => reliability.PartialStreamShouldNotBeAnAnswer();

    [Then("the catalog falls back to the bundled snapshot and says it did because of {string}")]
    public void ThenTheCatalogFallsBack(string errorKey) => reliability.CatalogShouldFallBackBecauseOf(errorKey);

    [Then("the snapshot still shows {string} as a {ModelKind} model with a context window of {int} tokens")]
    public void ThenTheSnapshotStillShows(string model, ProviderSpecs.Providers.Catalog.ModelKind kind, int context) => reliability.SnapshotShouldShow(model, kind, context);

    /// <summary>Each cell of the fault matrix (an outline row with fault, mode and error key columns) is kept for the report.</summary>
    [AfterScenario("reliability_validation")]
    public void RecordFaultMatrixCell()
    {
        var row = scenario.ScenarioInfo.Arguments;
        if (!row.Contains("fault") || !row.Contains("mode") || !row.Contains("error key")) return;
        var passed = scenario.ScenarioExecutionStatus == ScenarioExecutionStatus.OK;
        if (reliability.MatrixCell((string)row["error key"]!, passed) is { } cell) FaultMatrix.Add(cell);
    }

    [AfterTestRun]
    public static void WriteFaultMatrix() => FaultMatrix.WriteTo(SuiteLocation.For(typeof(ReliabilitySteps).Assembly).ReportsDirectory);
}
