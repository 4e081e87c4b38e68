using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Providers.Registry;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

[Binding]
public sealed class ProviderSteps(ProviderRegistryDriver registry, ScenarioContext scenario)
{
    [When("the registry is asked for {string}")]
    public void WhenTheRegistryIsAskedFor(string idOrAlias) => registry.LookUp(idOrAlias);

    [Then("it answers with {string}")]
    public void ThenItAnswersWith(string displayName) => registry.ShouldAnswerWith(displayName);

    [Then("its adapter is {string}")]
    public void ThenItsAdapterIs(string adapter) => registry.AdapterShouldBe(adapter);

    [Then(@"its (base URL|API key variable|base-URL override variable|key prefix) is ""(.*)""")]
    public void ThenItsFieldIs(string field, string expected) => registry.MetadataShouldBe(field, expected);

    [Then("its documentation is at {string}")]
    public void ThenItsDocumentationIsAt(string url) => registry.MetadataShouldBe("documentation", url);

    [Then("the error suggests {string}")]
    public void ThenTheErrorSuggests(string suggestion) => registry.ErrorShouldSuggest(suggestion);

    [Then("the registry lists at least {int} providers")]
    public void ThenTheRegistryListsAtLeast(int count) => registry.RegistryShouldListAtLeast(count);

    [Then("every registered provider uses the {string} adapter")]
    public void ThenEveryProviderUses(string adapter) => registry.EveryProviderShouldUse(adapter);

    [LiveSpend(Reads = 1)]
    [When("the client asks {ProviderDefinition} for its models through the provider layer")]
    public Task WhenTheClientAsksForItsModels(ProviderDefinition provider) =>
        registry.ListModelsThroughTheLayerAsync(provider, scenario.ScenarioInfo.Title);

    [Then("{ProviderDefinition} answers with at least {int} models")]
    public void ThenProviderAnswersWithModels(ProviderDefinition _, int count) => registry.ProviderShouldAnswerLive(count);
}
