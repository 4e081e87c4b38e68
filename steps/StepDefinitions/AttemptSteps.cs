using ProviderSpecs.Drivers.Support;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

/// <summary>The one way a scenario names the failure it expects: a stable error key.</summary>
[Binding]
public sealed class AttemptSteps(ScenarioTranscript transcript)
{
    [Then("the attempt fails with {string}")]
    public void ThenTheAttemptFailsWith(string errorKey) => transcript.RequireLastAttempt().ShouldFailWith(errorKey);
}
