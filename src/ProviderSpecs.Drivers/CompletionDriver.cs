using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Completions;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// Completions through the provider layer: the scenario describes a completion (options, limits, formats, prompt
/// size), asks one or more models of one provider session for it, streamed or not, and checks the answers.
/// </summary>
public sealed class CompletionDriver(ScenarioEndpoints endpoints, ScenarioTranscript transcript)
{
    public const string DefaultPrompt = "In two sentences, say why one provider layer for several LLM providers helps a team.";
    /// <summary>The output limit of a completion whose scenario sets none.</summary>
    public const int DefaultMaxTokens = 200;
    private const int LongPromptMaxTokens = 8;

    private ProviderEndpoint? _endpoint;
    private ProviderSession? _session;
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private int? _maxTokens;
    private string? _stop;
    private bool _jsonMode;
    private JsonNode? _schema;
    private Func<int, int>? _promptTokensForWindow;
    /// <summary>The model whose context window a long prompt was sized to, that window and the prompt's tokens.</summary>
    private (string Model, int Window, int PromptTokens)? _sizedTo;
    /// <summary>Each answer asked for, with the drift finding when the provider no longer lists the model asked.</summary>
    private readonly List<(string Model, Attempt<ChatResult> Attempt, string? Finding)> _answers = [];
    private (Attempt<StreamedAnswer> Attempt, string? Finding)? _stream;
    private readonly List<OfferedTool> _tools = [];
    private ChatToolMode? _toolMode;
    /// <summary>The prompt of the last completion asked, for a conversation that goes on from it (a tool's result).</summary>
    private string? _lastPrompt;

    // ---- describing the completion ----

    public void SetOption(string name, string value) => _options[name] = value;

    public void SetOptions(IEnumerable<(string Name, string Value)> options)
    {
        foreach (var (name, value) in options) SetOption(name, value);
    }
    public void LimitTo(int tokens) => _maxTokens = tokens;
    public void StopAt(string sequence) => _stop = sequence;
    public void UseJsonMode() => _jsonMode = true;

    public void FollowSchema(string schemaJson)
    {
        _schema = JsonNode.Parse(schemaJson) ?? throw new ArgumentException("The JSON schema is empty.");
        _schema.ShouldBeOfType<JsonObject>("a JSON schema must be a JSON object");
    }

    /// <summary>Offers the model a function it may call; the completion's prompt becomes the first offered tool's question.</summary>
    public void OfferTool(OfferedTool tool) => _tools.Add(tool);

    /// <summary>The model must call a function: any offered one, or the one of the tool named.</summary>
    public void RequireToolCall(OfferedTool? tool = null) =>
        _toolMode = tool is null ? ChatToolMode.RequireAny : ChatToolMode.RequireSpecific(tool.Function);

    public void ForbidToolCalls() => _toolMode = ChatToolMode.None;

    /// <summary>The prompt plus the answer limit end <paramref name="margin"/> tokens short of the model's context window.</summary>
    public void PromptWithinWindow(int margin) => _promptTokensForWindow = window => window - margin - (_maxTokens ?? LongPromptMaxTokens);

    /// <summary>The prompt alone is <paramref name="excess"/> tokens longer than the model's context window.</summary>
    public void PromptOverWindow(int excess) => _promptTokensForWindow = window => window + excess;

    /// <summary>A prompt of about <paramref name="tokens"/> tokens, whatever the window.</summary>
    public void PromptOfTokens(int tokens) => _promptTokensForWindow = _ => tokens;

    // ---- asking ----

    public Task RequestAsync(ProviderDefinition provider, string model, string scenario) => RequestAsync(provider, model, scenario, prompt: null);

    public async Task RequestAsync(ProviderDefinition provider, string model, string scenario, string? prompt)
    {
        var session = SessionFor(provider, scenario);
        var text = _lastPrompt = prompt ?? await PromptFor(session, model);
        var options = BuildOptions(_stop);
        var attempt = await Attempt<ChatResult>.RunAsync(() => session.CreateChatClient(model).CompleteAsync(text, options), transcript);
        _answers.Add((model, attempt, await DriftFindingAsync(session, model, attempt)));
    }

    /// <summary>
    /// Goes on from the last answer, which called functions: the conversation so far (the question, the model's calls)
    /// and each call's result, as the offered tool gives it, sent back to the same model, which may call tools again.
    /// </summary>
    public async Task SendToolResultsAsync()
    {
        _answers.ShouldNotBeEmpty("no completion was requested yet");
        var model = _answers[^1].Model;
        var answer = Succeeded(_answers[^1]);
        var calls = answer.FunctionCalls;
        calls.ShouldNotBeEmpty("the last answer called no tool, so there is no result to send back");
        var history = new List<ChatMessage> { new(ChatRole.User, _lastPrompt!) };
        history.AddRange(answer.Response.Messages);
        history.Add(new ChatMessage(ChatRole.Tool,
            calls.Select(call => (AIContent)new FunctionResultContent(call.CallId, JsonNode.Parse(ToolCalled(call.Name).Result))).ToList()));
        var options = BuildOptions(_stop);
        options.ToolMode = ChatToolMode.Auto; // a required call would make the model call again instead of answering
        var session = _session ?? throw new InvalidOperationException("No session is open yet.");
        var attempt = await Attempt<ChatResult>.RunAsync(() => session.CreateChatClient(model).CompleteAsync(history, options), transcript);
        _answers.Add((model, attempt, null));
    }

    private OfferedTool ToolCalled(string function) =>
        _tools.FirstOrDefault(t => t.Function == function)
        ?? throw new ShouldAssertException($"the model called '{function}', which was not offered (offered: {string.Join(", ", _tools.Select(t => t.Function))})");

    /// <summary>A model-not-found for a model the provider no longer lists is catalog drift: say so plainly.</summary>
    private async Task<string?> DriftFindingAsync<T>(ProviderSession session, string model, Attempt<T> attempt) =>
        attempt.ErrorKey == ErrorKeys.ModelNotFound ? await CatalogDrift.FindingAsync(session, model, Endpoint.Target) : null;

    /// <summary>The answer of one request; a failure caused by catalog drift fails with the drift finding.</summary>
    private ChatResult Succeeded((string Model, Attempt<ChatResult> Attempt, string? Finding) answer)
    {
        if (answer.Attempt.Succeeded || answer.Finding is not { } finding) return answer.Attempt.ShouldSucceed();
        CatalogDrift.NoteNamed(Endpoint.Provider.Id, answer.Model);
        throw new ShouldAssertException($"{finding} (the completion failed with '{answer.Attempt.ErrorKey}')", answer.Attempt.Error);
    }

    /// <summary>Another model through the session already open (one client, switching models).</summary>
    public Task RequestInTheSameSessionAsync(string model)
    {
        var session = _session ?? throw new InvalidOperationException("No session is open yet: ask a provider for a completion first.");
        return RequestAsync(session.Provider, model, Endpoint.Scope?.Name ?? model);
    }

    public async Task RequestFromEachAsync(ProviderDefinition provider, IEnumerable<string> models, string scenario)
    {
        foreach (var model in models) await RequestAsync(provider, model, scenario);
    }

    public async Task StreamAsync(ProviderDefinition provider, string model, string scenario)
    {
        var session = SessionFor(provider, scenario);
        var text = await PromptFor(session, model);
        var options = BuildOptions(_stop);
        var stream = await Attempt<StreamedAnswer>.RunAsync(async () =>
        {
            var chunks = new List<StreamChunk>();
            var started = Stopwatch.GetTimestamp();
            var stream = session.CreateChatClient(model).Stream(text, options);
            await foreach (var update in stream)
                chunks.Add(new StreamChunk(chunks.Count, update.Text, Stopwatch.GetElapsedTime(started),
                    ReasoningText.Of(update.Contents) ?? ""));
            return new StreamedAnswer(chunks, stream.Result);
        }, transcript);
        _stream = (stream, await DriftFindingAsync(session, model, stream));
        _answers.Clear();
        _streamModel = model;
        _streamProvider = provider;
    }

    private string? _streamModel;
    private ProviderDefinition? _streamProvider;

    private ProviderSession SessionFor(ProviderDefinition provider, string scenario)
    {
        _endpoint = endpoints.For(provider, scenario);
        return _session = endpoints.Session(provider, scenario);
    }

    private ProviderEndpoint Endpoint => _endpoint ?? throw new InvalidOperationException("No completion was asked for yet.");

    private async Task<string> PromptFor(ProviderSession session, string model)
    {
        if (_promptTokensForWindow is { } size)
        {
            var info = await session.Catalog.GetAsync(model);
            info.ContextWindow.ShouldNotBeNull($"the catalog gives no context window for {model}, so a prompt cannot be sized to it");
            _maxTokens ??= LongPromptMaxTokens;
            _sizedTo = (model, info.ContextWindow.Value, size(info.ContextWindow.Value));
            return LongPrompt(_sizedTo.Value.PromptTokens);
        }
        if (_tools.Count > 0) return _tools[0].Question;
        return _jsonMode || _schema is not null ? DefaultPrompt + " Answer in JSON." : DefaultPrompt;
    }

    /// <summary>
    /// A prompt of about <paramref name="tokens"/> tokens: four-character words, one token each for common
    /// tokenisers and for the simulators (a message costs ceil(characters / 4) + 4 tokens).
    /// </summary>
    private static string LongPrompt(int tokens)
    {
        var words = Math.Max(1, tokens - 4);
        var builder = new StringBuilder(words * 4);
        for (var i = 0; i < words; i++) builder.Append("tok ");
        return builder.ToString(0, builder.Length - 1) + ".";
    }

    private ChatOptions BuildOptions(string? stop)
    {
        var options = new ChatOptions { MaxOutputTokens = _maxTokens ?? DefaultMaxTokens };
        if (stop is not null) options.StopSequences = [stop];
        if (_jsonMode) options.ResponseFormat = ChatResponseFormat.Json;
        if (_tools.Count > 0)
        {
            options.Tools = _tools.Select(t => (AITool)t.Declaration()).ToList();
            options.ToolMode = _toolMode ?? ChatToolMode.Auto;
        }
        if (_schema is not null)
            options.ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonSerializer.SerializeToElement(_schema), "answer", "The shape the answer must have.");
        foreach (var (name, value) in _options)
        {
            switch (name)
            {
                case "temperature": options.Temperature = float.Parse(value, CultureInfo.InvariantCulture); break;
                case "top_p": options.TopP = float.Parse(value, CultureInfo.InvariantCulture); break;
                case "seed": options.Seed = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "stop": options.StopSequences = [value]; break;
                default:
                    options.AdditionalProperties ??= [];
                    options.AdditionalProperties[name] = Typed(value);
                    break;
            }
        }
        return options;
    }

    /// <summary>"2" → 2, "0.5" → 0.5, "true" → true, anything else stays text.</summary>
    private static object Typed(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? whole
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? real
        : bool.TryParse(value, out var flag) ? flag
        : value.TrimStart().StartsWith('{') ? JsonObjectOption(value)
        : value;

    /// <summary>An option given as a JSON object (Together's <c>reasoning</c>: <c>{"enabled": false}</c>).</summary>
    private static JsonObject JsonObjectOption(string value)
    {
        try
        {
            return JsonNode.Parse(value) as JsonObject ?? throw new ArgumentException($"'{value}' is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The option value '{value}' starts like a JSON object but does not parse ({ex.Message}); write it as JSON, e.g. {{\"enabled\": false}}.", ex);
        }
    }

    // ---- the answer ----

    private ChatResult Answer
    {
        get
        {
            _answers.ShouldNotBeEmpty("no completion was requested yet");
            return Succeeded(_answers[^1]);
        }
    }

    public void AnswerShouldHaveText() => Answer.Text.Trim().ShouldNotBeEmpty("the answer has no text");

    /// <summary>The answer has the shape every answer has: text, a finish reason of the normalised set, usage that adds up within the limit.</summary>
    public void AnswerShouldBeComplete() => CompleteShape(Answer, _answers[^1].Model);

    private void CompleteShape(ChatResult answer, string model)
    {
        answer.Text.Trim().ShouldNotBeEmpty($"{model} gave no text");
        answer.FinishReason.ShouldBeOneOf(["stop", "length"], $"{model}'s finish reason (raw '{answer.RawFinishReason}')");
        UsageShouldAddUp(answer, model);
        answer.Usage!.OutputTokens!.Value.ShouldBeLessThanOrEqualTo(_maxTokens ?? DefaultMaxTokens, $"{model}'s output respects the token limit");
    }

    /// <summary>
    /// The answer called the tool's function, with a call id and arguments that parse and follow the function's
    /// parameters, and finished with <c>tool_calls</c> (its words, if any, are not checked).
    /// </summary>
    public void AnswerShouldCallTool(OfferedTool tool) => ToolCallShouldFollow(Answer, tool, "the answer");

    public void StreamShouldEndWithCall(OfferedTool tool) => ToolCallShouldFollow(Streamed.Result, tool, "the streamed answer");

    private static void ToolCallShouldFollow(ChatResult answer, OfferedTool tool, string what)
    {
        var calls = answer.FunctionCalls;
        var call = calls.FirstOrDefault(c => c.Name == tool.Function)
                   ?? throw new ShouldAssertException($"{what} should call {tool.Function}; it calls {(calls.Count == 0 ? "nothing" : string.Join(", ", calls.Select(c => c.Name)))} (text: '{Excerpt(answer.Text)}')");
        answer.FinishReason.ShouldBe("tool_calls", $"{what} calls a function, so it finishes with 'tool_calls' (the provider sent '{answer.RawFinishReason}')");
        call.CallId.ShouldNotBeNullOrWhiteSpace($"{what}'s call of {tool.Function} has no call id, so its result could not be sent back");
        call.Exception.ShouldBeNull($"{what}'s arguments for {tool.Function} are not valid JSON");
        var arguments = JsonSerializer.SerializeToNode(call.Arguments ?? new Dictionary<string, object?>());
        var problems = JsonShape.Violations(tool.ParameterSchema, arguments);
        problems.ShouldBeEmpty($"{what}'s arguments for {tool.Function} do not follow its parameters:\n  {string.Join("\n  ", problems)}\narguments: {arguments?.ToJsonString()}");
    }

    /// <summary>The answer called no function: it answered in text, ended by itself or by its limit.</summary>
    public void AnswerShouldCallNoTool()
    {
        var answer = Answer;
        answer.FunctionCalls.ShouldBeEmpty($"the answer should call no tool; it calls {string.Join(", ", answer.FunctionCalls.Select(c => c.Name))}");
        answer.FinishReason.ShouldBeOneOf(["stop", "length"], $"an answer in text finishes with 'stop' or 'length' (the provider sent '{answer.RawFinishReason}')");
    }

    /// <summary>Where a reasoning model's thinking went (<see cref="Thinking"/>): apart from the text, in it between think tags, or nowhere.</summary>
    public void AnswerThinkingShouldBe(ThinkingPlace place) => Thinking.ShouldBe(Answer, place);

    public void AnswerShouldFinishWith(string reason) =>
        Answer.FinishReason.ShouldBe(reason, $"the answer's finish reason (the provider sent '{Answer.RawFinishReason}')");

    public void AnswerShouldReportUsage() => UsageShouldAddUp(Answer, "the answer");

    /// <summary>
    /// The token limit held: a model may write fewer tokens than its limit (a short answer, a tokeniser that counts
    /// differently), never more. Whether the limit cut the answer is the finish reason's business.
    /// </summary>
    public void AnswerShouldUseAtMostOutputTokens(int tokens)
    {
        var output = Answer.Usage?.OutputTokens;
        output.ShouldNotBeNull("the answer reports no output tokens");
        output.Value.ShouldBeInRange(1, tokens, $"the answer's output tokens with a limit of {tokens} (text: '{Answer.Text}')");
    }

    /// <summary>
    /// The answer carries the completion id and the provider's request id — whatever their values: ids are the
    /// provider's, never fixed. Groq repeats the request id in the body (<c>x_groq.id</c>); when it does, they agree.
    /// </summary>
    public void AnswerShouldIdentifyTheRequest()
    {
        var answer = Answer;
        answer.ResponseId.ShouldNotBeNullOrWhiteSpace("the answer has no completion id");
        answer.RequestId.ShouldNotBeNullOrWhiteSpace("the answer has no provider request id (x-request-id)");
        if (answer.ProviderId == "groq" && answer.ProviderResponseId is { } bodyId)
            bodyId.ShouldBe(answer.RequestId, "Groq's x_groq.id should be the request id of the x-request-id header");
    }

    public void AnswerShouldBeAJsonObject()
    {
        var text = Answer.Text;
        Answer.FinishReason.ShouldNotBe("length",
            $"the answer was cut at its limit of {_maxTokens ?? DefaultMaxTokens} tokens, so its JSON cannot be complete: raise the limit or ask for a shorter answer. Text: {text}");
        JsonNode? parsed = null;
        Should.NotThrow(() => parsed = JsonNode.Parse(text), $"the answer is not valid JSON: {text}");
        parsed.ShouldBeOfType<JsonObject>($"the answer is JSON but not an object: {text}");
    }

    public void AnswerShouldFollowTheSchema()
    {
        _schema.ShouldNotBeNull("no JSON schema was given");
        var text = Answer.Text;
        JsonNode? parsed = null;
        Should.NotThrow(() => parsed = JsonNode.Parse(text), $"the answer is not valid JSON: {text}");
        var problems = JsonShape.Violations(_schema, parsed);
        problems.ShouldBeEmpty($"the answer does not follow the schema:\n  {string.Join("\n  ", problems)}\nanswer: {text}");
    }

    /// <summary>
    /// The stop sequence held, whatever the model wrote: the answer does not contain the sequence, and it finished with
    /// "stop" (not "length": the stop, not the token limit, ended it). A live model's words differ from run to run, so
    /// the answer is never compared with another.
    /// </summary>
    public void AnswerShouldStopBefore(string sequence)
    {
        _stop.ShouldBe(sequence, "the stop sequence checked should be the one the completion was given");
        var answer = Answer;
        answer.Text.Contains(sequence, StringComparison.Ordinal).ShouldBeFalse($"the answer contains the stop sequence '{sequence}': {answer.Text}");
        answer.FinishReason.ShouldBe("stop", $"an answer ended by a stop sequence finishes with 'stop' (the provider sent '{answer.RawFinishReason}'); text: {answer.Text}");
    }

    /// <summary>
    /// Whether the provider names the model that answered as the one asked: the same id, ignoring case, or that id with a
    /// version suffix (<c>model-2025-01-01</c>) as providers that resolve an alias report it.
    /// </summary>
    public static bool NamesTheModelAsked(string? answered, string asked) =>
        answered is not null
        && (string.Equals(answered, asked, StringComparison.OrdinalIgnoreCase)
            || answered.StartsWith(asked + "-", StringComparison.OrdinalIgnoreCase));

    public void EachAnswerShouldComeFromItsModel()
    {
        _answers.Count.ShouldBeGreaterThan(1, "switching models needs at least two answers");
        foreach (var entry in _answers)
        {
            var answer = Succeeded(entry);
            answer.Model.ShouldBe(entry.Model, "the layer's record of the model asked");
            NamesTheModelAsked(answer.Response.ModelId, entry.Model).ShouldBeTrue(
                $"the provider should say the answer came from {entry.Model}; it says '{answer.Response.ModelId}'");
        }
        _answers.Select(a => a.Model).Distinct().Count().ShouldBe(_answers.Count, "each answer should come from a different model");
    }

    /// <summary>
    /// Every model answered alike: the same shape — text, a finish reason of the normalised set, token usage that adds
    /// up, a completion id and a request id, the model named — never the same words, which differ by model and by run.
    /// </summary>
    public void EveryAnswerShouldBeComplete()
    {
        _answers.Count.ShouldBeGreaterThan(1, "a comparison needs answers from several models");
        foreach (var entry in _answers)
        {
            var (model, answer) = (entry.Model, Succeeded(entry));
            CompleteShape(answer, model);
            answer.ResponseId.ShouldNotBeNullOrWhiteSpace($"{model}'s answer has no completion id");
            answer.RequestId.ShouldNotBeNullOrWhiteSpace($"{model}'s answer has no request id");
            NamesTheModelAsked(answer.Response.ModelId, model).ShouldBeTrue($"{model}'s answer names another model: '{answer.Response.ModelId}'");
        }
    }

    private static void UsageShouldAddUp(ChatResult answer, string what)
    {
        var usage = answer.Usage;
        usage.ShouldNotBeNull($"{what} reports no token usage");
        usage.InputTokens.ShouldNotBeNull($"{what} reports no input tokens");
        usage.InputTokens.Value.ShouldBeGreaterThan(0, $"{what}'s input tokens");
        usage.OutputTokens.ShouldNotBeNull($"{what} reports no output tokens");
        usage.OutputTokens.Value.ShouldBeGreaterThan(0, $"{what}'s output tokens");
        usage.TotalTokens.ShouldBe(usage.InputTokens + usage.OutputTokens, $"{what}'s total tokens should be input + output");
    }

    /// <summary>
    /// The prompt the provider counted filled the model's context window, as the catalog states it, but for the answer's
    /// token limit and <paramref name="margin"/> tokens: the scenario really tried a prompt of that size. Tokenisers count
    /// a little differently, so 1 % of the window is allowed below.
    /// </summary>
    public void PromptShouldFillTheWindow(int window, int margin)
    {
        var sized = _sizedTo ?? throw new InvalidOperationException("No prompt was sized to a context window: describe one that ends short of the window first.");
        sized.Window.ShouldBe(window, $"the catalog's context window of {sized.Model}, which the prompt was sized to");
        var answer = Answer;
        var limit = _maxTokens ?? LongPromptMaxTokens;
        var counted = answer.Usage?.InputTokens ?? throw new ShouldAssertException("the answer reports no input tokens, so the prompt's size cannot be told");
        var expected = window - margin - limit;
        counted.ShouldBeLessThanOrEqualTo(window - limit, $"the provider counted {counted} prompt tokens, more than the {window}-token window leaves beside a {limit}-token answer");
        counted.ShouldBeGreaterThanOrEqualTo(expected - window / 100,
            $"the provider counted {counted} prompt tokens; a prompt ending {margin} tokens short of the {window}-token window (with a {limit}-token answer) is about {expected}");
    }

    // ---- what left the client (both targets) ----

    /// <summary>The request field an option is sent as: the token limit under the provider's documented name (the registry's).</summary>
    private string FieldOf(string option) => option switch { "max tokens" => Endpoint.Provider.MaxTokensField, _ => option };

    /// <summary>The last chat request for <paramref name="model"/> as it left the client.</summary>
    private SentRequest SentFor(string model)
    {
        var sent = endpoints.Sent.ChatRequests;
        return sent.LastOrDefault(r => r.Model == model)
               ?? throw new ShouldAssertException($"no completion request for {model} left the client (requests sent: {string.Join(", ", sent.Select(r => r.Model ?? "?"))})");
    }

    /// <summary>The completion asked left the client with the option set to the value given: the layer neither dropped nor changed it.</summary>
    public void RequestShouldHaveLeftWith(string name, string value)
    {
        _answers.ShouldNotBeEmpty("no completion was requested yet");
        var (model, _, _) = _answers[^1];
        var sent = SentFor(model);
        FieldShouldBe(sent.Body, FieldOf(name), value, $"the request for {model} as it left the client");
    }

    /// <summary>Every model's request left the client with every option the completion was given, and its token limit.</summary>
    public void EveryRequestShouldHaveLeftWithTheOptions()
    {
        _answers.Count.ShouldBeGreaterThan(1, "a comparison needs requests to several models");
        var expected = _options.Append(new KeyValuePair<string, string>("max tokens", (_maxTokens ?? DefaultMaxTokens).ToString(CultureInfo.InvariantCulture))).ToList();
        var problems = new List<string>();
        foreach (var model in _answers.Select(a => a.Model).Distinct())
        {
            var sent = SentFor(model);
            problems.AddRange(expected.Select(option => FieldProblem(sent.Body, FieldOf(option.Key), option.Value, $"the request for {model}")).OfType<string>());
        }
        problems.ShouldBeEmpty($"options the completion was given did not leave the client as given:\n  {string.Join("\n  ", problems)}");
    }

    /// <summary>
    /// Where the provider's answer reports the option back (the same field in the answer), it reports the value sent; a stop
    /// sequence is never part of the answer's text. An option the provider does not report back is recorded as such.
    /// </summary>
    public void AnswerShouldAgreeWithOption(string name, string value)
    {
        var answer = Answer;
        var (model, _, _) = _answers[^1];
        if (name == "stop")
        {
            answer.Text.Contains(value, StringComparison.Ordinal).ShouldBeFalse($"the answer contains the stop sequence '{value}': {answer.Text}");
            return;
        }
        var field = FieldOf(name);
        if (SentFor(model).Answer is { } reported && reported.ContainsKey(field))
            FieldShouldBe(reported, field, value, $"{answer.ProviderId}'s answer, which reports '{field}' back");
        else
            transcript.Record($"{answer.ProviderId}'s answer does not report '{field}' back; the request as sent is the evidence it was asked for");
    }

    /// <summary>The JSON field <paramref name="field"/> of <paramref name="body"/> holds <paramref name="value"/> (as a number, a flag or text).</summary>
    private static void FieldShouldBe(JsonObject? body, string field, string value, string where)
    {
        if (FieldProblem(body, field, value, where) is { } problem) throw new ShouldAssertException(problem);
    }

    /// <summary>What is wrong with <paramref name="field"/> in <paramref name="body"/>, or null when it holds <paramref name="value"/>.</summary>
    private static string? FieldProblem(JsonObject? body, string field, string value, string where)
    {
        if (body is null) return $"{where} has no readable JSON body";
        if (!body.TryGetPropertyValue(field, out var sent) || sent is null) return $"{where} carries no '{field}': {Excerpt(body.ToJsonString())}";
        var element = sent is JsonArray { Count: > 0 } array ? array[0]! : sent;
        var expected = Typed(value);
        var holds = expected is JsonObject whole ? JsonNode.DeepEquals(sent, whole) : element is JsonValue scalar && expected switch
        {
            long number => scalar.TryGetValue<double>(out var sentNumber) && sentNumber == number,
            double real => scalar.TryGetValue<double>(out var number) && Math.Abs(number - real) <= 1e-6,
            bool flag => scalar.TryGetValue<bool>(out var b) && b == flag,
            _ => scalar.TryGetValue<string>(out var text) && text == value,
        };
        return holds ? null : $"{where} carries '{field}' = {sent.ToJsonString()}, not {value}";
    }

    private static string Excerpt(string text) => text.Length <= 300 ? text : text[..300] + "…";

    // ---- what reached the provider (simulated target) ----

    private IReadOnlyList<SimulatedRequest> CompletionsReceived =>
        Endpoint.RequireScope().Requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).ToList();

    public void CompletionShouldHaveCarried(ProviderDefinition provider, string name, string value)
    {
        Endpoint.Provider.Id.ShouldBe(provider.Id, "the completion was asked of another provider");
        var received = CompletionsReceived;
        received.ShouldNotBeEmpty($"no completion reached {Endpoint.Provider.DisplayName}");
        FieldShouldBe(JsonNode.Parse(received[^1].Body) as JsonObject, FieldOf(name), value, $"the request as {Endpoint.Provider.DisplayName} received it");
    }

    public void NoCompletionShouldHaveReachedTheProvider(ProviderDefinition provider)
    {
        Endpoint.Provider.Id.ShouldBe(provider.Id, "the completion was asked of another provider");
        CompletionsReceived.ShouldBeEmpty($"the layer should refuse before sending, but {Endpoint.Provider.DisplayName} received a completion request");
    }

    // ---- the stream ----

    private StreamedAnswer Streamed => _stream switch
    {
        null => throw new InvalidOperationException("No completion was streamed yet."),
        ({ Succeeded: false } attempt, { } finding) => throw StreamDrift(attempt, finding),
        var (attempt, _) => attempt.ShouldSucceed(),
    };

    public void StreamShouldDeliverInOrder(int minimumChunks)
    {
        var streamed = Streamed;
        var withText = streamed.Chunks.Where(c => c.Text.Length > 0).ToList();
        withText.Count.ShouldBeGreaterThanOrEqualTo(minimumChunks, $"the answer came in {withText.Count} chunks with text");
        string.Concat(streamed.Chunks.Select(c => c.Text)).ShouldBe(streamed.Result.Text, "the chunks, in arrival order, should spell the answer");
        for (var i = 1; i < streamed.Chunks.Count; i++)
            streamed.Chunks[i].ArrivedAfter.ShouldBeGreaterThanOrEqualTo(streamed.Chunks[i - 1].ArrivedAfter, $"chunk {i} arrived before chunk {i - 1}");
        streamed.Result.StreamedChunks.ShouldBe(streamed.Chunks.Count, "the layer's chunk count");
    }

    public void StreamShouldReportUsage()
    {
        UsageShouldAddUp(Streamed.Result, "the stream");
        Streamed.Result.TimeToFirstToken.ShouldNotBeNull("the stream should record its time to first token");
    }

    public void StreamShouldDeliverThinkingFirst() => Thinking.ShouldComeBeforeTheAnswer(Streamed);

    public void StreamShouldFinishWith(string reason) =>
        Streamed.Result.FinishReason.ShouldBe(reason, $"the stream's finish reason (the provider sent '{Streamed.Result.RawFinishReason}')");

    private ShouldAssertException StreamDrift(Attempt<StreamedAnswer> attempt, string finding)
    {
        CatalogDrift.NoteNamed(Endpoint.Provider.Id, _streamModel!);
        return new ShouldAssertException($"{finding} (the stream failed with '{attempt.ErrorKey}')", attempt.Error);
    }

    /// <summary>
    /// Asks the same completion without streaming and compares the two answers' shape — never their words, which differ
    /// from one live call to the next: both have text, a finish reason of the normalised set, the same ids present,
    /// usage that adds up within the limit; in JSON mode, each answer that ended by itself is a JSON object.
    /// </summary>
    public async Task StreamShouldHaveTheShapeOfAnUnstreamedAnswerAsync()
    {
        var streamed = Streamed.Result;
        var model = _streamModel!;
        await RequestAsync(_streamProvider!, model, Endpoint.Scope?.Name ?? model);
        var plain = Answer;
        var limit = _maxTokens ?? DefaultMaxTokens;
        foreach (var (answer, what) in new[] { (streamed, "the streamed answer"), (plain, "the answer that was not streamed") })
        {
            answer.Text.Trim().ShouldNotBeEmpty($"{what} has no text");
            answer.FinishReason.ShouldBeOneOf(["stop", "length"], $"{what}'s finish reason (raw '{answer.RawFinishReason}')");
            UsageShouldAddUp(answer, what);
            answer.Usage!.OutputTokens!.Value.ShouldBeLessThanOrEqualTo(limit, $"{what}'s output respects the token limit of {limit}");
            if (_jsonMode && answer.FinishReason == "stop")
                IsJsonObject(answer.Text).ShouldBeTrue($"{what} in JSON mode ended by itself but is not a JSON object: {answer.Text}");
        }
        (streamed.ResponseId is null).ShouldBe(plain.ResponseId is null, "both should carry a completion id, or neither");
        (streamed.RequestId is null).ShouldBe(plain.RequestId is null, "both should carry a request id, or neither");
    }

    private static bool IsJsonObject(string text)
    {
        try { return JsonNode.Parse(text) is JsonObject; }
        catch (JsonException) { return false; }
    }

}
