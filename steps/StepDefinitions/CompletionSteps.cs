using ProviderSpecs.Drivers;
using ProviderSpecs.Drivers.Completions;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Providers.Registry;
using Reqnroll;

namespace ProviderSpecs.Steps.StepDefinitions;

/// <summary>Completions: describing a completion, asking a model for it (streamed or not), and checking the answer.</summary>
[Binding]
public sealed class CompletionSteps(CompletionDriver completion, ScenarioContext scenario)
{
    private string Title => scenario.ScenarioInfo.Title;

    [Given("a completion with the option {string} set to {string}")]
    public void GivenACompletionWithTheOption(string name, string value) => completion.SetOption(name, value);

    [Given("a completion with these options:")]
    public void GivenACompletionWithTheseOptions(DataTable options) => completion.SetOptions(options.Rows.Select(r => (r["option"], r["value"])));

    [LiveSpend(nameof(NoteTokenLimit))]
    [Given("a completion limited to {int} tokens")]
    public void GivenACompletionLimitedTo(int tokens) => completion.LimitTo(tokens);

    [Given("a completion that stops at {string}")]
    public void GivenACompletionThatStopsAt(string sequence) => completion.StopAt(sequence);

    [Given("a completion in JSON mode")]
    public void GivenACompletionInJsonMode() => completion.UseJsonMode();

    [Given("a completion whose answer must follow the {string} schema")]
    public void GivenACompletionThatMustFollowTheSchema(string schema) => completion.FollowSchema(AnswerSchemas.Named(schema));

    [Given("a completion whose prompt ends {int} tokens short of the context window")]
    public void GivenAPromptWithinTheWindow(int margin) => completion.PromptWithinWindow(margin);

    [Given("a completion whose prompt exceeds the context window by {int} tokens")]
    public void GivenAPromptOverTheWindow(int excess) => completion.PromptOverWindow(excess);

    [Given("a completion whose prompt holds {int} tokens")]
    public void GivenAPromptOfTokens(int tokens) => completion.PromptOfTokens(tokens);

    [Given("a completion that offers the {string} tool")]
    public void GivenACompletionThatOffersTheTool(string tool) => completion.OfferTool(OfferedTools.Named(tool));

    [Given("the model must call a tool")]
    public void GivenTheModelMustCallATool() => completion.RequireToolCall();

    [Given("the model must call the {string} tool")]
    public void GivenTheModelMustCallTheTool(string tool) => completion.RequireToolCall(OfferedTools.Named(tool));

    [Given("the model may not call tools")]
    public void GivenTheModelMayNotCallTools() => completion.ForbidToolCalls();

    [LiveSpend(nameof(OneCompletion))]
    [When("the tool's result is sent back to the model")]
    public Task WhenTheToolsResultIsSentBack() => completion.SendToolResultsAsync();

    [Then("the answer calls the {string} tool with arguments that follow its parameters")]
    public void ThenTheAnswerCallsTheTool(string tool) => completion.AnswerShouldCallTool(OfferedTools.Named(tool));

    [Then("the stream ends with a call of the {string} tool with arguments that follow its parameters")]
    public void ThenTheStreamEndsWithACallOf(string tool) => completion.StreamShouldEndWithCall(OfferedTools.Named(tool));

    [Then("the answer calls no tool")]
    public void ThenTheAnswerCallsNoTool() => completion.AnswerShouldCallNoTool();

    [LiveSpend(nameof(OneCompletionOfAModel))]
    [When("a completion is requested from {ProviderDefinition}'s {string}")]
    public Task WhenACompletionIsRequested(ProviderDefinition provider, string model) => completion.RequestAsync(provider, model, Title);

    [When("a completion of an empty prompt is requested from {ProviderDefinition}'s {string}")]
    public Task WhenAnEmptyPromptIsRequested(ProviderDefinition provider, string model) => completion.RequestAsync(provider, model, Title, prompt: "");

    [LiveSpend(nameof(OneCompletionOfAModel))]
    [When("a completion is then requested from {string} in the same session")]
    public Task WhenACompletionIsThenRequested(string model) => completion.RequestInTheSameSessionAsync(model);

    [LiveSpend(nameof(OneCompletionOfAModel))]
    [When("a completion is streamed from {ProviderDefinition}'s {string}")]
    public Task WhenACompletionIsStreamed(ProviderDefinition provider, string model) => completion.StreamAsync(provider, model, Title);

    [LiveSpend(nameof(OneCompletionPerRow))]
    [When("the same completion is requested from each of these {ProviderDefinition} models:")]
    public Task WhenTheSameCompletionIsRequestedFromEach(ProviderDefinition provider, DataTable models) =>
        completion.RequestFromEachAsync(provider, models.Rows.Select(r => r["model"]), Title);

    [Then("the answer has text")]
    public void ThenTheAnswerHasText() => completion.AnswerShouldHaveText();

    [Then("the answer is complete, with text, a finish reason and token usage")]
    public void ThenTheAnswerIsComplete() => completion.AnswerShouldBeComplete();

    [Then("the answer's thinking is {string}")]
    public void ThenTheAnswersThinkingIs(string place) => completion.AnswerThinkingShouldBe(Thinking.PlaceNamed(place));

    [Then("the answer finishes with {string}")]
    public void ThenTheAnswerFinishesWith(string reason) => completion.AnswerShouldFinishWith(reason);

    [Then("the answer reports its token usage")]
    public void ThenTheAnswerReportsItsUsage() => completion.AnswerShouldReportUsage();

    [Then("the answer identifies the provider's request")]
    public void ThenTheAnswerIdentifiesTheRequest() => completion.AnswerShouldIdentifyTheRequest();

    [Then("the answer used no more than {int} output tokens")]
    public void ThenTheAnswerUsedNoMoreThan(int tokens) => completion.AnswerShouldUseAtMostOutputTokens(tokens);

    [Then("the answer ends before {string} without including it")]
    public void ThenTheAnswerEndsBeforeTheStop(string sequence) => completion.AnswerShouldStopBefore(sequence);

    [Then("the answer is a JSON object")]
    public void ThenTheAnswerIsAJsonObject() => completion.AnswerShouldBeAJsonObject();

    [Then("the answer follows the JSON schema")]
    public void ThenTheAnswerFollowsTheSchema() => completion.AnswerShouldFollowTheSchema();

    [Then("each answer comes from the model it was asked of")]
    public void ThenEachAnswerComesFromItsModel() => completion.EachAnswerShouldComeFromItsModel();

    [Then("every answer is complete, with text, a finish reason and token usage")]
    public void ThenEveryAnswerIsComplete() => completion.EveryAnswerShouldBeComplete();

    [Then("the request left the client with {string} set to {string}")]
    public void ThenTheRequestLeftWith(string name, string value) => completion.RequestShouldHaveLeftWith(name, value);

    [Then("the answer agrees with {string} set to {string} wherever it reports it")]
    public void ThenTheAnswerAgreesWith(string name, string value) => completion.AnswerShouldAgreeWithOption(name, value);

    [Then("every request left the client with the options and the token limit as given")]
    public void ThenEveryRequestLeftWithTheOptions() => completion.EveryRequestShouldHaveLeftWithTheOptions();

    [Then("the prompt, as the provider counted it, fills the {int}-token window but for the answer's limit and {int} tokens")]
    public void ThenThePromptFillsTheWindow(int window, int margin) => completion.PromptShouldFillTheWindow(window, margin);

    [Then("the completion reached {ProviderDefinition} with {string} set to {string}")]
    public void ThenTheCompletionReachedWith(ProviderDefinition provider, string name, string value) => completion.CompletionShouldHaveCarried(provider, name, value);

    [Then("no completion reached {ProviderDefinition}")]
    public void ThenNoCompletionReached(ProviderDefinition provider) => completion.NoCompletionShouldHaveReachedTheProvider(provider);

    [Then("the stream delivers the answer in at least {int} chunks, in order")]
    public void ThenTheStreamDeliversInOrder(int chunks) => completion.StreamShouldDeliverInOrder(chunks);

    [Then("the stream reports its token usage at the end")]
    public void ThenTheStreamReportsUsage() => completion.StreamShouldReportUsage();

    [Then("the stream delivers the thinking before the answer")]
    public void ThenTheStreamDeliversTheThinkingFirst() => completion.StreamShouldDeliverThinkingFirst();

    [Then("the stream finishes with {string}")]
    public void ThenTheStreamFinishesWith(string reason) => completion.StreamShouldFinishWith(reason);

    [LiveSpend(nameof(OneCompletion))]
    [Then("the stream's answer has the shape of an answer that is not streamed")]
    public Task ThenTheStreamHasTheShapeOfAnUnstreamedAnswer() => completion.StreamShouldHaveTheShapeOfAnUnstreamedAnswerAsync();

    // What the completions of a scenario may spend: each reserves its token limit (a Given may set it for the scenario).
    private const string TokenLimitNote = "completion token limit";

    private static LiveSpend NoteTokenLimit(StepSpendQuery step)
    {
        step.Scenario[TokenLimitNote] = step.Int(0);
        return LiveSpend.None;
    }

    private static int TokenLimit(StepSpendQuery step) =>
        step.Scenario.TryGetValue(TokenLimitNote, out var limit) ? (int)limit : CompletionDriver.DefaultMaxTokens;

    private static LiveSpend OneCompletion(StepSpendQuery step) => LiveSpend.Of(1, TokenLimit(step));

    // A model the provider does not serve is then looked up in its catalog, to tell drift from a typo.
    private static LiveSpend OneCompletionOfAModel(StepSpendQuery step) => OneCompletion(step) + LiveSpend.ReadsOnlyIf(1);

    private static LiveSpend OneCompletionPerRow(StepSpendQuery step) => LiveSpend.Of(step.TableRows, TokenLimit(step)) + LiveSpend.ReadsOnlyIf(step.TableRows);
}
