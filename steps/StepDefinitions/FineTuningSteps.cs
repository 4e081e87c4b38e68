using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Providers.Registry;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

[Binding]
public sealed class FineTuningSteps(FineTuningDriver fineTuning, ScenarioContext scenario)
{
    [LiveSpend(Reads = 2)]
    [Then("every model {ProviderDefinition}'s catalog marks as fine-tunable is offered for fine-tuning")]
    public Task ThenCatalogAndServiceAgree(ProviderDefinition provider) =>
        fineTuning.CatalogAndServiceShouldAgreeAsync(provider, scenario.ScenarioInfo.Title);

    [LiveSpend(Reads = 1)]
    [When("a fine-tuning job for {string} is created on {ProviderDefinition}")]
    public Task WhenAJobIsCreated(string model, ProviderDefinition provider) =>
        fineTuning.CreateJobAsync(provider, model, scenario.ScenarioInfo.Title);

    [LiveSpend(Reads = 1)]
    [When("the fine-tuning job is cancelled")]
    public Task WhenTheJobIsCancelled() => fineTuning.CancelJobAsync();

    [Then("the fine-tuning job is {string}")]
    public void ThenTheJobIs(string status) => fineTuning.JobShouldBe(status);

    [LiveSpend(Reads = 3)]
    [Then("the fine-tuning job moves through {string}")]
    public Task ThenTheJobMovesThrough(string statuses) =>
        fineTuning.JobShouldProgressThroughAsync(statuses.Split(',', StringSplitOptions.TrimEntries));

    [Then(@"^the fine-tuning request is refused because (.+)$")]
    public void ThenRefused(string reason) => fineTuning.RequestShouldBeRefusedBecause(reason);

    [LiveSpend(Reads = 1)]
    [Then("the fine-tuned model is named after {string}, the model it was trained from")]
    public Task ThenTheFineTunedModelComesFrom(string baseModel) => fineTuning.FineTunedModelShouldComeFromAsync(baseModel);
}
