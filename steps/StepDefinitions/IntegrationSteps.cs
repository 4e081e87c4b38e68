using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Providers.Registry;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

/// <summary>Integration: the fallback chain, concurrent requests under a per-provider limit, one conversation across providers.</summary>
[Binding]
public sealed class IntegrationSteps(IntegrationDriver integration, ScenarioContext scenario)
{
    private string Title => scenario.ScenarioInfo.Title;

    [Given("the fallback chain tries {ProviderDefinition}, then {ProviderDefinition}")]
    public void GivenTheFallbackChain(ProviderDefinition first, ProviderDefinition second) => integration.ChainOf([first, second]);

    [LiveSpend(nameof(FallbackChain))]
    [When("the fallback chain is asked for an answer")]
    public Task WhenTheFallbackChainIsAsked() => integration.AskTheChainAsync(Title);

    [Then("the fallback chain is answered by {ProviderDefinition}")]
    public void ThenTheFallbackChainIsAnsweredBy(ProviderDefinition provider) => integration.ChainShouldBeAnsweredBy(provider);

    [Then("the fallback chain reports that {ProviderDefinition} did not answer because of {string}")]
    public void ThenTheFallbackChainReportsWhy(ProviderDefinition provider, string errorKey) => integration.ChainShouldReportFailureOf(provider, errorKey);

    [Then("the fallback chain tried only {ProviderDefinition}")]
    public void ThenTheFallbackChainTriedOnly(ProviderDefinition provider) => integration.ChainShouldHaveTriedOnly(provider);

    [Given("concurrent requests to {ProviderDefinition} are limited to {int} in flight")]
    public void GivenConcurrentRequestsAreLimited(ProviderDefinition provider, int limit) => integration.LimitConcurrency(provider, limit);

    [LiveSpend(nameof(ConcurrentRequests))]
    [When(@"^(\d+) concurrent (streaming|non-streaming) requests are sent to (Groq|Together AI)$")]
    public Task WhenConcurrentRequestsAreSent(int count, string mode, ProviderDefinition provider) =>
        integration.SendConcurrentAsync(provider, count, mode, Title);

    [Then("all {int} concurrent requests are answered")]
    public void ThenAllConcurrentRequestsAreAnswered(int count) => integration.AllConcurrentRequestsShouldBeAnswered(count);

    [Then("at the busiest moment {int} concurrent requests were in flight, never more")]
    public void ThenInFlightPeakedAt(int limit) => integration.InFlightShouldPeakAt(limit);

    [LiveSpend(Requests = 1, MaxTokensPerRequest = IntegrationDriver.SmallAnswer)]
    [Given("the conversation begins with {ProviderDefinition} answering {string}")]
    public Task GivenTheConversationBegins(ProviderDefinition provider, string prompt) => integration.BeginConversationAsync(provider, prompt, Title);

    [LiveSpend(Requests = 1, MaxTokensPerRequest = IntegrationDriver.SmallAnswer)]
    [When("the conversation continues on {ProviderDefinition} with {string}")]
    public Task WhenTheConversationContinues(ProviderDefinition provider, string prompt) => integration.ContinueConversationAsync(provider, prompt, Title);

    [Then("{ProviderDefinition}'s answer is complete, with text, a finish reason and token usage")]
    public void ThenTheConversationAnswerIsComplete(ProviderDefinition provider) => integration.ConversationAnswerShouldBeComplete(provider);

    [Then("the whole conversation left for {ProviderDefinition}, taking turns, with {ProviderDefinition}'s answer word for word")]
    public void ThenTheWholeConversationLeft(ProviderDefinition receiver, ProviderDefinition author) => integration.WholeConversationShouldHaveLeftFor(receiver, author);

    [Then("the conversation reached {ProviderDefinition} whole, with the answer from {ProviderDefinition}")]
    public void ThenTheConversationReached(ProviderDefinition receiver, ProviderDefinition author) =>
        integration.ProviderShouldHaveReceivedWholeConversation(receiver, author, Title);

    private static LiveSpend ConcurrentRequests(StepSpendQuery step) => LiveSpend.Of(step.Int(0), IntegrationDriver.ConcurrentAnswer);

    // The first healthy provider answers; a chain whose providers fail (faults, simulated only) asks each, and a model a
    // provider does not serve is then looked up in its catalog.
    private static LiveSpend FallbackChain(StepSpendQuery step) =>
        LiveSpend.Of(1, IntegrationDriver.SmallAnswer) + new LiveSpend(3, IntegrationDriver.SmallAnswer, 0);
}
