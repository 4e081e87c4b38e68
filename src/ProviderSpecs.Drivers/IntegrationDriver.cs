using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Reliability;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Simulators;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// Integration: providers used together through the provider layer — a fallback chain, a per-provider concurrency
/// limit under concurrent requests, and one conversation carried from one provider to another.
/// </summary>
public sealed class IntegrationDriver(ScenarioEndpoints endpoints, ScenarioTranscript transcript) : IAsyncDisposable
{
    /// <summary>Each link of a fallback chain retries once, quickly, before the chain moves on.</summary>
    public static readonly ResilienceOptions ChainResilience = new()
    {
        MaxRetries = 1,
        BaseDelay = TimeSpan.FromMilliseconds(20),
        UseJitter = false,
        FirstTokenTimeout = TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(20),
    };

    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(60);
    /// <summary>The output limit of a fallback-chain or conversation answer.</summary>
    public const int SmallAnswer = 32;

    /// <summary>The output limit of each of the concurrent requests.</summary>
    public const int ConcurrentAnswer = 16;

    private readonly List<ProviderSession> _sessions = [];
    private readonly WireRecorder _wire = new(endpoints.SharedHandler);
    private HttpClient? _recordedHttp;

    private IReadOnlyList<ProviderDefinition> _chain = [];
    private Attempt<FallbackResult>? _fallback;

    private int _concurrencyLimit = 32;
    private ProviderDefinition? _concurrentProvider;
    private Attempt<IReadOnlyList<ChatResult>>? _concurrent;

    private readonly List<ChatMessage> _conversation = [];
    private readonly List<(ProviderDefinition Provider, string Answer)> _turns = [];
    private Attempt<ChatResult>? _turn;

    // ---- the fallback chain ----

    public void ChainOf(IReadOnlyList<ProviderDefinition> providers) => _chain = providers.Count > 0
        ? providers
        : throw new ArgumentException("A fallback chain needs at least one provider.");

    public async Task AskTheChainAsync(string scenario)
    {
        _chain.ShouldNotBeEmpty("no fallback chain was set up: say which providers it tries, in order");
        var sessions = _chain.Select(p => (Provider: p, Session: Open(p, scenario, ChainResilience))).ToList();
        var chain = new ProviderFallbackChain(sessions.Select(s => s.Session.CreateChatClient(ScenarioEndpoints.EverydayModel(s.Provider))).ToList());
        _fallback = await Attempt<FallbackResult>.RunAsync(() => Bounded.RunAsync(SafetyTimeout,
            $"the fallback chain {string.Join(" → ", _chain.Select(p => p.DisplayName))}",
            token => chain.CompleteAsync([new ChatMessage(ChatRole.User, "Name three primary colours.")],
                new ChatOptions { MaxOutputTokens = SmallAnswer }, token)), transcript);
        _chainFinding = null;
        if (_fallback.Error is ProviderFallbackException failed)
            foreach (var (provider, session) in sessions.Where(s => failed.Steps.Any(step => step.ProviderId == s.Provider.Id && step.Outcome == ErrorKeys.ModelNotFound)))
                _chainFinding ??= await FindingAsync(provider, session, scenario);
    }

    /// <summary>Why the chain failed when a provider no longer lists the model asked of it (catalog drift); null otherwise.</summary>
    private (ProviderDefinition Provider, string Text)? _chainFinding;

    public void ChainShouldBeAnsweredBy(ProviderDefinition provider)
    {
        if (_chainFinding is { } finding) throw Drift(finding, Fallback.Error);
        var result = Fallback.ShouldSucceed();
        result.AnsweringProvider.ShouldBe(provider.Id, $"the chain's steps: {Describe(result.Steps)}");
        result.Result.Text.ShouldNotBeNullOrWhiteSpace($"{provider.DisplayName} answered with no text");
        result.Steps[^1].Answered.ShouldBeTrue("the last step of the chain should be the answer");
    }

    public void ChainShouldReportFailureOf(ProviderDefinition provider, string errorKey)
    {
        var steps = ChainSteps();
        var step = steps.FirstOrDefault(s => s.ProviderId == provider.Id)
                   ?? throw new ShouldAssertException($"The chain never tried {provider.DisplayName}: {Describe(steps)}");
        step.Answered.ShouldBeFalse($"{provider.DisplayName} answered, so there was no failure to report");
        step.Outcome.ShouldBe(errorKey, $"why {provider.DisplayName} did not answer: {step.Reason}");
        step.Reason.ShouldNotBeNullOrWhiteSpace($"the chain should say why {provider.DisplayName} did not answer");
        step.Attempts.ShouldBe(ChainResilience.MaxRetries + 1,
            $"{provider.DisplayName} should have spent its own retry budget ({ChainResilience.MaxRetries} retries) before the chain moved on");
    }

    public void ChainShouldHaveTriedOnly(ProviderDefinition provider)
    {
        var steps = ChainSteps();
        steps.Select(s => s.ProviderId).ShouldBe([provider.Id], $"the chain's steps: {Describe(steps)}");
    }

    private Attempt<FallbackResult> Fallback => _fallback ?? throw new InvalidOperationException("The fallback chain was not asked for an answer yet.");

    private IReadOnlyList<FallbackStep> ChainSteps() => Fallback.Succeeded
        ? Fallback.Value!.Steps
        : Fallback.Error is ProviderFallbackException failed
            ? failed.Steps
            : throw new ShouldAssertException($"The fallback chain failed without saying which providers it tried: {Fallback.Error}");

    private static string Describe(IEnumerable<FallbackStep> steps) =>
        string.Join("; ", steps.Select(s => $"{s.ProviderId}: {s.Outcome} after {s.Attempts} attempt(s){(s.Reason is null ? "" : $" ({s.Reason})")}"));

    // ---- concurrent requests ----

    public void LimitConcurrency(ProviderDefinition provider, int limit)
    {
        _concurrentProvider = provider;
        _concurrencyLimit = limit;
    }

    /// <summary>Fires <paramref name="count"/> requests at once through one session; on the simulator each takes ~150 ms, so they overlap.</summary>
    public async Task SendConcurrentAsync(ProviderDefinition provider, int count, string mode, string scenario)
    {
        _concurrentProvider = provider;
        var streaming = mode == "streaming";
        var endpoint = endpoints.For(provider, scenario);
        endpoint.Scope?.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, TimeSpan.FromMilliseconds(150), 400));
        endpoint.Scope?.UseLatencyScale(1.0);
        _recordedHttp ??= _wire.CreateClient();
        var session = Track(endpoint.OpenSession(http: _recordedHttp, resilience: new ResilienceOptions
        {
            MaxConcurrency = _concurrencyLimit, MaxRetries = 0,
            FirstTokenTimeout = TimeSpan.FromSeconds(20), TotalTimeout = TimeSpan.FromSeconds(30),
        }));
        var model = ScenarioEndpoints.EverydayModel(provider);
        // The requests must overlap to show the limit: an account whose rate limits serialise them cannot show it.
        var limits = await AccountLimits.RequireAsync(endpoint.Pacer, provider, model, count, Math.Min(count, _concurrencyLimit), $"{count} concurrent requests held to {_concurrencyLimit}");
        var chat = session.CreateChatClient(model);
        var options = new ChatOptions { MaxOutputTokens = ConcurrentAnswer };
        _concurrent = await Attempt<IReadOnlyList<ChatResult>>.RunAsync(() => Bounded.RunAsync(SafetyTimeout,
            $"{count} concurrent {mode} requests to {provider.DisplayName}", async token =>
            {
                var calls = Enumerable.Range(1, count).Select(i => streaming
                    ? chat.Stream($"Request {i}: name a primary colour.", options).CollectAsync(token)
                    : chat.CompleteAsync($"Request {i}: name a primary colour.", options, token));
                return (IReadOnlyList<ChatResult>)await Task.WhenAll(calls);
            }), transcript);
        _concurrentFinding = _concurrent.ErrorKey == ErrorKeys.ModelNotFound ? await FindingAsync(provider, session, scenario) : null;
        limits.RequireUnshaped(count, Math.Min(count, _concurrencyLimit));
    }

    private (ProviderDefinition Provider, string Text)? _concurrentFinding;

    public void AllConcurrentRequestsShouldBeAnswered(int count)
    {
        if (_concurrentFinding is { } finding) throw Drift(finding, _concurrent?.Error);
        var results = (_concurrent ?? throw new InvalidOperationException("No concurrent requests were sent yet.")).ShouldSucceed();
        results.Count.ShouldBe(count);
        results.ShouldAllBe(r => !string.IsNullOrWhiteSpace(r.Text), "every concurrent request should have been answered with text");
        _wire.ChatRequests.Count.ShouldBe(count, "each concurrent request should have reached the provider exactly once");
    }

    /// <summary>At the busiest moment exactly the limit was in flight: never more, and the requests did overlap up to it.</summary>
    public void InFlightShouldPeakAt(int limit)
    {
        _ = _concurrent ?? throw new InvalidOperationException("No concurrent requests were sent yet.");
        _wire.MaxInFlight.ShouldBeLessThanOrEqualTo(limit,
            $"{_wire.MaxInFlight} requests were in flight at {_concurrentProvider?.DisplayName} at once, above the limit of {limit}. Requests: {DescribeWire()}");
        _wire.MaxInFlight.ShouldBe(limit,
            $"the requests never overlapped up to the limit of {limit}, so the limit was not shown to hold under load. Requests: {DescribeWire()}");
    }

    private string DescribeWire() =>
        string.Join("; ", _wire.ChatRequests.Select(r => $"#{r.Ordinal} {r.Started.TotalMilliseconds:0}–{r.Finished?.TotalMilliseconds.ToString("0") ?? "?"} ms"));

    // ---- one conversation across providers ----

    public async Task BeginConversationAsync(ProviderDefinition provider, string prompt, string scenario)
    {
        _conversation.Add(new ChatMessage(ChatRole.User, prompt));
        var result = await TakeTurnAsync(provider, scenario);
        result.Text.ShouldNotBeNullOrWhiteSpace($"{provider.DisplayName} should have answered the opening of the conversation");
    }

    public async Task ContinueConversationAsync(ProviderDefinition provider, string prompt, string scenario)
    {
        _conversation.ShouldNotBeEmpty("the conversation has not begun yet");
        _conversation.Add(new ChatMessage(ChatRole.User, prompt));
        await TakeTurnAsync(provider, scenario);
    }

    private async Task<ChatResult> TakeTurnAsync(ProviderDefinition provider, string scenario)
    {
        var session = Open(provider, scenario, ChainResilience);
        var chat = session.CreateChatClient(ScenarioEndpoints.EverydayModel(provider));
        var history = _conversation.ToList();
        _turn = await Attempt<ChatResult>.RunAsync(() => Bounded.RunAsync(SafetyTimeout,
            $"a turn of the conversation at {provider.DisplayName}",
            token => chat.CompleteAsync(history, new ChatOptions { MaxOutputTokens = SmallAnswer }, token)), transcript);
        if (_turn.ErrorKey == ErrorKeys.ModelNotFound
            && await FindingAsync(provider, session, scenario) is { } finding)
            throw Drift(finding, _turn.Error);
        if (!_turn.Succeeded) return _turn.ShouldSucceed();
        var result = _turn.Value!;
        _conversation.Add(new ChatMessage(ChatRole.Assistant, result.Text));
        _turns.Add((provider, result.Text));
        return result;
    }

    /// <summary>
    /// The last turn was answered by <paramref name="provider"/> in full: text, a finish reason of the normalised set, and
    /// token usage that adds up — the shape every answer has, whichever provider began the conversation.
    /// </summary>
    public void ConversationAnswerShouldBeComplete(ProviderDefinition provider)
    {
        var result = (_turn ?? throw new InvalidOperationException("The conversation has not begun yet.")).ShouldSucceed();
        result.ProviderId.ShouldBe(provider.Id, "the provider that answered the last turn");
        result.Text.ShouldNotBeNullOrWhiteSpace($"{provider.DisplayName} answered the conversation with no text");
        result.FinishReason.ShouldBeOneOf(["stop", "length"], $"{provider.DisplayName}'s finish reason (raw '{result.RawFinishReason}')");
        var usage = result.Usage ?? throw new ShouldAssertException($"{provider.DisplayName}'s answer reports no token usage");
        usage.InputTokens.ShouldNotBeNull($"{provider.DisplayName}'s answer reports no input tokens");
        usage.InputTokens.Value.ShouldBeGreaterThan(0, $"{provider.DisplayName}'s input tokens");
        usage.OutputTokens.ShouldNotBeNull($"{provider.DisplayName}'s answer reports no output tokens");
        usage.OutputTokens.Value.ShouldBeInRange(1, SmallAnswer, $"{provider.DisplayName}'s output tokens, with a limit of {SmallAnswer}");
        usage.TotalTokens.ShouldBe(usage.InputTokens + usage.OutputTokens, $"{provider.DisplayName}'s total tokens should be input + output");
    }

    /// <summary>
    /// The request for <paramref name="receiver"/>'s turn, as it left the client, held the whole conversation before it, in
    /// turns — the opening question, <paramref name="author"/>'s answer word for word, the new question. Read on the
    /// client's side, so it holds on the live target too.
    /// </summary>
    public void WholeConversationShouldHaveLeftFor(ProviderDefinition receiver, ProviderDefinition author)
    {
        var authored = _turns.FirstOrDefault(t => t.Provider.Id == author.Id);
        authored.Answer.ShouldNotBeNull($"{author.DisplayName} has not answered in this conversation");
        var model = ScenarioEndpoints.EverydayModel(receiver);
        var request = endpoints.Sent.ChatRequests.LastOrDefault(r => r.Model == model)
                      ?? throw new ShouldAssertException($"no request for {receiver.DisplayName} ({model}) left the client");
        var sent = (request.Body?["messages"] as JsonArray ?? throw new ShouldAssertException($"the request for {receiver.DisplayName} carried no messages"))
            .Select(m => (Role: (string?)m?["role"], Content: ContentOf(m?["content"]))).ToList();
        var expected = _conversation.Take(_conversation.Count - 1).Select(m => (Role: (string?)m.Role.Value, Content: (string?)m.Text)).ToList();
        sent.Select(m => m.Role).ShouldBe(expected.Select(m => m.Role),
            $"the turns that left for {receiver.DisplayName}: {string.Join(" | ", sent.Select(m => m.Role))}");
        for (var i = 0; i < sent.Count; i++)
            sent[i].Role.ShouldBe(i % 2 == 0 ? "user" : "assistant", $"message {i + 1} left out of turn");
        sent.ShouldContain(m => m.Role == "assistant" && m.Content == authored.Answer,
            $"{author.DisplayName}'s answer should have left for {receiver.DisplayName} as an assistant message, word for word");
        sent.Select(m => m.Content).ShouldBe(expected.Select(m => m.Content), $"the conversation that left for {receiver.DisplayName}, message by message");
    }

    /// <summary>What the second provider received: the whole history, the first provider's answer included, verbatim.</summary>
    public void ProviderShouldHaveReceivedWholeConversation(ProviderDefinition receiver, ProviderDefinition author, string scenario)
    {
        var authored = _turns.FirstOrDefault(t => t.Provider.Id == author.Id);
        authored.Answer.ShouldNotBeNull($"{author.DisplayName} has not answered in this conversation");
        var request = endpoints.For(receiver, scenario).RequireScope().Requests
            .LastOrDefault(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal))
            ?? throw new ShouldAssertException($"{receiver.DisplayName} received no chat request");
        var sent = (JsonNode.Parse(request.Body)?["messages"]?.AsArray() ?? throw new ShouldAssertException($"{receiver.DisplayName} received no messages"))
            .Select(m => (Role: (string?)m?["role"], Content: ContentOf(m?["content"]))).ToList();
        sent.Count.ShouldBe(_conversation.Count - 1, $"{receiver.DisplayName} should have received every message before its own answer");
        sent.ShouldContain(m => m.Role == "assistant" && m.Content == authored.Answer,
            $"{author.DisplayName}'s answer should have reached {receiver.DisplayName} as an assistant message, verbatim");
        sent.Select(m => m.Role).ShouldBe(_conversation.Take(sent.Count).Select(m => m.Role.Value), "the turns should reach the provider in order");
    }

    private static string? ContentOf(JsonNode? content) => content switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"])),
        _ => null,
    };

    /// <summary>The drift finding when <paramref name="provider"/> no longer lists its everyday model; null otherwise.</summary>
    private async Task<(ProviderDefinition Provider, string Text)?> FindingAsync(ProviderDefinition provider, ProviderSession session, string scenario) =>
        await CatalogDrift.FindingAsync(session, ScenarioEndpoints.EverydayModel(provider), endpoints.For(provider, scenario).Target) is { } text
            ? (provider, text)
            : null;

    /// <summary>A step that needed the everyday model fails with the drift finding, noted for the report.</summary>
    private static ShouldAssertException Drift((ProviderDefinition Provider, string Text) finding, Exception? error)
    {
        CatalogDrift.NoteNamed(finding.Provider.Id, ScenarioEndpoints.EverydayModel(finding.Provider));
        return new ShouldAssertException(finding.Text, error);
    }

    // ---- sessions ----

    private HttpClient? _sentHttp;

    /// <summary>A session of this scenario whose chat requests are kept as they left the client (<see cref="ScenarioEndpoints.Sent"/>).</summary>
    private ProviderSession Open(ProviderDefinition provider, string scenario, ResilienceOptions resilience) =>
        Track(endpoints.For(provider, scenario).OpenSession(http: _sentHttp ??= endpoints.CreateSentClient(), resilience: resilience));

    private ProviderSession Track(ProviderSession session)
    {
        _sessions.Add(session);
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions) await session.DisposeAsync();
        _recordedHttp?.Dispose();
        _sentHttp?.Dispose();
        _wire.Dispose();
    }
}
