using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Providers.Registry;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

[Binding]
public sealed class CredentialSteps(CredentialDriver credentials, ScenarioContext scenario)
{
    private const string Source = "(explicit key|environment variable|.env file|credentials file)";

    [Given(@"^(Groq|Together AI)'s key is placed in the " + Source + "$")]
    public void GivenTheKeyIsPlacedIn(ProviderDefinition provider, string source) => credentials.PlaceKey(provider, source);

    [Given(@"^(Groq|Together AI)'s key in the " + Source + " is only whitespace$")]
    public void GivenTheKeyIsWhitespace(ProviderDefinition provider, string source) => credentials.PlaceKey(provider, source, "   \t ");

    [Given(@"^(Groq|Together AI)'s key in the " + Source + @" is ""(.*)""$")]
    public void GivenTheKeyIs(ProviderDefinition provider, string source, string key) => credentials.PlaceKey(provider, source, key);

    [Given("the credentials file is readable by others")]
    public void GivenTheCredentialsFileIsReadableByOthers() => credentials.MakeCredentialsFileReadableByOthers();

    [When("the key for {ProviderDefinition} is resolved")]
    public void WhenTheKeyIsResolved(ProviderDefinition provider) => credentials.Resolve(provider);

    [When("a chat client for {ProviderDefinition} is requested")]
    public void WhenAChatClientIsRequested(ProviderDefinition provider) => credentials.RequestChatClient(provider);

    [LiveSpend(Requests = 1, MaxTokensPerRequest = CredentialDriver.ShortCompletionTokens)]
    [When("the client asks {ProviderDefinition} for a short completion with its key")]
    public Task WhenAskedWithItsKey(ProviderDefinition provider) =>
        credentials.CompleteWithKeyAsync(provider, scenario.ScenarioInfo.Title, key: null);

    [LiveSpend(Requests = 1, MaxTokensPerRequest = CredentialDriver.ShortCompletionTokens)]
    [When("the client asks {ProviderDefinition} for a short completion with an invalid key")]
    public Task WhenAskedWithAnInvalidKey(ProviderDefinition provider) =>
        credentials.CompleteWithKeyAsync(provider, scenario.ScenarioInfo.Title, credentials.InvalidKey(provider));

    [Then(@"^the key comes from the " + Source + "$")]
    public void ThenTheKeyComesFrom(string source) => credentials.KeyShouldComeFrom(source);

    [Then(@"^the chain reports the " + Source + @" as ""(.*)""$")]
    public void ThenTheChainReports(string source, string outcome) => credentials.ChainShouldReport(source, outcome);

    [Then("the resolution warns about {string}")]
    public void ThenTheResolutionWarnsAbout(string text) => credentials.ShouldWarnAbout(text);

    [Then("the error names {string}")]
    public void ThenTheErrorNames(string text) => credentials.ErrorShouldName(text);

    [Then(@"^the error names (the \.env file|the credentials file)$")]
    public void ThenTheErrorNamesThePlace(string place) => credentials.ErrorShouldName(place);

    [Then("the key travelled as a Bearer token in the Authorization header")]
    public void ThenTheKeyTravelledAsBearer() => credentials.KeyShouldTravelAsBearer();

    [Then("no output of the scenario contains a key it used")]
    public void ThenNoOutputContainsAKey() => credentials.NoOutputShouldContainTheKeys(credentials.SimulatorLogs());
}
