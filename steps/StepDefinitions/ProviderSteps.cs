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

    [Then("the provider layer opens a session for it at its registered base URL")]
    public void ThenASessionOpensAtItsBaseUrl() => registry.SessionShouldOpenAtItsBaseUrl();

    [Then(@"its (base URL|API key variable|base-URL override variable|key prefix) is ""(.*)""")]
    public void ThenItsFieldIs(string field, string expected) => registry.MetadataShouldBe(field, expected);

    [Then("its documentation is at {string}")]
    public void ThenItsDocumentationIsAt(string url) => registry.MetadataShouldBe("documentation", url);

    [Then("the error suggests {string}")]
    public void ThenTheErrorSuggests(string suggestion) => registry.ErrorShouldSuggest(suggestion);

    [When("the registry is asked for every provider it knows")]
    public void WhenTheRegistryIsAskedForEveryProvider() => registry.ListEveryProvider();

    [Then("it lists these providers:")]
    public void ThenItListsTheseProviders(DataTable providers) =>
        registry.ShouldListExactly(providers.Rows.Select(r => (r["provider"], r["id"])).ToList());

    [Then("the provider layer opens a session for each of them at its registered base URL")]
    public void ThenASessionOpensForEach() => registry.EveryProviderShouldOpenASession();

    [LiveSpend(Reads = 1)]
    [When("the client asks {ProviderDefinition} for its models through the provider layer")]
    public Task WhenTheClientAsksForItsModels(ProviderDefinition provider) =>
        registry.ListModelsThroughTheLayerAsync(provider, scenario.ScenarioInfo.Title);

    [Then("{ProviderDefinition} lists at least these models of each kind:")]
    public void ThenProviderListsAtLeast(ProviderDefinition _, DataTable floors) =>
        registry.ShouldListAtLeast(floors.Rows.Select(r => (r["kind"], int.Parse(r["at least"], System.Globalization.CultureInfo.InvariantCulture))).ToList());
}
