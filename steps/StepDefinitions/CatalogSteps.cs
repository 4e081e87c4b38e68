using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Runner;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

/// <summary>Model discovery: reading, narrowing and checking a provider's catalog (the model list).</summary>
[Binding]
public sealed class CatalogSteps(CatalogDriver catalog, ScenarioContext scenario)
{
    private string Title => scenario.ScenarioInfo.Title;

    [StepArgumentTransformation(@"(chat|code|language|embedding|rerank|image|moderation|audio)")]
    public ModelKind ToKind(string kind) => CatalogText.ParseKind(kind);

    [StepArgumentTransformation(@"(JSON schema|JSON mode|tool calls|reasoning|streaming|fine-tuning)")]
    public ModelCapability ToCapability(string capability) => CatalogText.ParseCapability(capability);

    [LiveSpend(Reads = 1)]
    [When("the catalog of {ProviderDefinition} is read")]
    public Task WhenTheCatalogIsRead(ProviderDefinition provider) => catalog.ReadAsync(provider, Title);

    [LiveSpend(Reads = 1)]
    [When("the catalog of {ProviderDefinition} is asked for the model {string}")]
    public Task WhenTheCatalogIsAskedForTheModel(ProviderDefinition provider, string model) => catalog.LookUpAsync(provider, model, Title);

    [When("the model list is narrowed to {ModelKind} models")]
    public Task WhenNarrowedToKind(ModelKind kind) => catalog.NarrowToKindAsync(kind);

    [When("the model list is narrowed to models that support {ModelCapability}")]
    public Task WhenNarrowedToCapability(ModelCapability capability) => catalog.NarrowToCapabilityAsync(capability);

    [When("the model list is narrowed to models with a context window of at least {int} tokens")]
    public Task WhenNarrowedToContext(int minimum) => catalog.NarrowToContextAsync(minimum);

    [When("the model list is narrowed to models costing at most ${decimal} per million tokens")]
    public Task WhenNarrowedToPrice(decimal maximum) => catalog.NarrowToPriceAsync(maximum);

    [When("the model list is narrowed to models of at most {decimal} billion parameters")]
    public Task WhenNarrowedToAtMostParameters(decimal billions) => catalog.NarrowToAtMostParametersAsync(billions);

    [When("the model list is narrowed to models of at least {decimal} billion parameters")]
    public Task WhenNarrowedToAtLeastParameters(decimal billions) => catalog.NarrowToAtLeastParametersAsync(billions);

    [When("the model list is searched for {string}")]
    public Task WhenSearched(string text) => catalog.SearchAsync(text);

    [When("the catalog is published for the usage guide")]
    public void WhenTheCatalogIsPublished() => catalog.Publish(SuiteLocation.For(typeof(CatalogSteps).Assembly).ReportsDirectory);

    [Then("the catalog comes from {ProviderDefinition}'s own model list")]
    public void ThenTheCatalogComesFromTheProvider(ProviderDefinition provider) => catalog.ShouldComeFromTheProvider(provider);

    [LiveSpend(Reads = 1)]
    [Then("the catalog agrees with {ProviderDefinition}'s own model list on every model")]
    public Task ThenTheCatalogAgrees(ProviderDefinition provider) => catalog.ShouldAgreeWithTheProvidersOwnListAsync(provider);

    [Then("the catalog comes from the bundled snapshot")]
    public void ThenTheCatalogComesFromTheSnapshot() => catalog.ShouldComeFromTheSnapshot();

    [Then("the catalog says it fell back because of {string}")]
    public void ThenTheCatalogSaysWhy(string errorKey) => catalog.FallbackReasonShouldName(errorKey);

    [Then("the catalog suggests {string}")]
    public void ThenTheCatalogSuggests(string model) => catalog.LookupShouldSuggest(model);

    [Then("the model list shows {string} as a {ModelKind} model with a context window of {int} tokens")]
    public void ThenTheModelListShowsKindAndContext(string model, ModelKind kind, int context) => catalog.ModelShouldBe(model, kind, context);

    [Then("the model list shows {string} writing at most {int} tokens")]
    public void ThenTheModelListShowsMaxOutput(string model, int maxOutput) => catalog.MaxOutputShouldBe(model, maxOutput);

    [Then("the model list shows {string} costing ${decimal} in and ${decimal} out per million tokens")]
    public void ThenTheModelListShowsPrice(string model, decimal input, decimal output) => catalog.PriceShouldBe(model, input, output);

    [Then("the model list shows {string} supporting {ModelCapability}")]
    public void ThenTheModelListShowsCapability(string model, ModelCapability capability) => catalog.ShouldSupport(model, capability);

    [Then("the model list includes {string}")]
    public void ThenTheModelListIncludes(string model) => catalog.ShouldInclude(model);

    [Then("the model list leaves out {string}")]
    public void ThenTheModelListLeavesOut(string model) => catalog.ShouldLeaveOut(model);

    [Then("every model left is a {ModelKind} model")]
    public void ThenEveryModelIsOfKind(ModelKind kind) => catalog.EveryModelShouldBe(kind);

    [Then("every model left supports {ModelCapability}")]
    public void ThenEveryModelSupports(ModelCapability capability) => catalog.EveryModelShouldSupport(capability);

    [Then("every model left has a context window of at least {int} tokens")]
    public void ThenEveryModelHasContext(int minimum) => catalog.EveryModelShouldHaveContextOfAtLeast(minimum);

    [Then("every model left costs at most ${decimal} per million tokens")]
    public void ThenEveryModelCostsAtMost(decimal maximum) => catalog.EveryModelShouldCostAtMost(maximum);

    [Then("every model left has at most {decimal} billion parameters")]
    public void ThenEveryModelHasAtMostParameters(decimal billions) => catalog.EveryModelShouldHaveAtMostParameters(billions);

    [Then("every model left has at least {decimal} billion parameters")]
    public void ThenEveryModelHasAtLeastParameters(decimal billions) => catalog.EveryModelShouldHaveAtLeastParameters(billions);

    [Then("the model list shows {string} with {decimal} billion parameters, {decimal} billion of them active")]
    public void ThenTheModelListShowsAMixtureOfExperts(string model, decimal total, decimal active) => catalog.SizeShouldBe(model, total, active);

    [Then("the model list shows {string} with {decimal} billion parameters")]
    public void ThenTheModelListShowsItsSize(string model, decimal total) => catalog.SizeShouldBe(model, total, null);

    [Then("every model left mentions {string}")]
    public void ThenEveryModelMentions(string text) => catalog.EveryModelShouldMention(text);

    [Then("the usage guide's model table lists every model of the catalog")]
    public void ThenThePublishedTableListsEveryModel() => catalog.PublishedTableShouldListEveryModel();

    /// <summary>The catalog drift the run saw (models listed but not in the snapshot, and the reverse), for the living doc.</summary>
    [AfterTestRun]
    public static void WriteCatalogDrift() => CatalogDrift.WriteTo(SuiteLocation.For(typeof(CatalogSteps).Assembly).ReportsDirectory);
}
