using System.Diagnostics;
using Microsoft.Extensions.AI;
using ProviderSpecs.Drivers.Reliability;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Simulators;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// Reliability: faults injected at a simulated provider, the retries and timeouts configured for the call, and what the
/// provider layer made of it — the error key, the attempts, the time it took, and what reached the provider.
/// </summary>
public sealed class ReliabilityDriver(ScenarioEndpoints endpoints, ScenarioTranscript transcript) : IAsyncDisposable
{
    /// <summary>The output limit of the answer a reliability scenario asks the faulty provider for.</summary>
    public const int AnswerTokens = 24;

    /// <summary>Default waits of the timing faults: longer than any timeout the features configure, so the timeout decides.</summary>
    public static readonly TimeSpan SlowFirstTokenDelay = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan StallDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromMilliseconds(200);
    /// <summary>How far beyond the outer bound of a call the suite waits before it calls the call hung.</summary>
    public static readonly TimeSpan SafetyMargin = TimeSpan.FromSeconds(5);
    /// <summary>
    /// Timer granularity: a timer-driven wait, measured with a Stopwatch, may end up to this much before its nominal
    /// length — .NET's timer queue ticks in whole milliseconds and, on a loaded 2-core machine, was seen firing an
    /// 800 ms timeout 3.3 ms early. Against bounds of 200 ms and more this stays under 3 %.
    /// </summary>
    private static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(6);

    private readonly WireRecorder _wire = new(endpoints.SharedHandler);
    private HttpClient? _http;
    private ProviderDefinition? _provider;
    private ProviderEndpoint? _endpoint;
    private readonly HashSet<string> _faulted = new(StringComparer.Ordinal);
    private string? _fault;
    private TimeSpan? _retryAfter;
    private ResilienceOptions _resilience = new()
    {
        MaxRetries = 0,
        FirstTokenTimeout = TimeSpan.FromSeconds(2),
        TotalTimeout = TimeSpan.FromSeconds(5),
    };
    private Attempt<ChatResult>? _call;
    private Attempt<CatalogListing>? _catalog;
    private string? _mode;
    private int _chunksReceived;
    private TimeSpan _elapsed;

    public ProviderDefinition Provider => _provider ?? throw new InvalidOperationException("No provider was given a fault yet: start with a fault at Groq or Together AI.");
    public ResilienceOptions Resilience => _resilience;

    /// <summary>The matrix cell of this scenario, once a faulty call was made; null otherwise.</summary>
    public FaultMatrixCell? MatrixCell(string expectedKey, bool scenarioPassed)
    {
        if (_fault is null || _mode is null) return null;
        var actual = _mode == "catalog"
            ? CatalogReasonKey()
            : _call is null ? null : _call.Succeeded ? "success" : _call.ErrorKey;
        return new FaultMatrixCell(_fault, Provider.Id, _mode, expectedKey, actual, scenarioPassed && actual == expectedKey,
            Math.Round(_elapsed.TotalMilliseconds, 1));
    }

    // ---- Given: faults, retries, timeouts ----

    /// <summary>
    /// The faults as the features name them — what a reader would call the trouble — and the simulators' names for them
    /// (the glossary's <em>fault</em> table holds both).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, FaultKind> FaultWords = new Dictionary<string, FaultKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["a burst of rate limits"] = FaultKind.RateLimitSequence,
        ["a lack of capacity"] = FaultKind.Overloaded,
        ["a full flex tier"] = FaultKind.CapacityExceeded,
        ["an internal error"] = FaultKind.ServerError,
        ["a failing gateway"] = FaultKind.BadGateway,
        ["a slow first token"] = FaultKind.SlowFirstToken,
        ["a reset connection"] = FaultKind.ConnectionReset,
        ["an empty answer"] = FaultKind.EmptyBody,
        ["a cut-off JSON answer"] = FaultKind.MalformedJson,
        ["a stream cut short"] = FaultKind.TruncatedStream,
        ["a chunk that is not JSON"] = FaultKind.GarbageChunk,
        ["a stalled stream"] = FaultKind.StalledStream,
        ["an unavailable model list"] = FaultKind.CatalogUnavailable,
        ["a function call the model got wrong"] = FaultKind.ToolUseFailed,
    };

    /// <summary>A fault by the features' words, or by the simulators' name (<c>garbage-chunk</c>).</summary>
    public static FaultKind ParseFault(string fault) =>
        FaultWords.TryGetValue(fault.Trim(), out var kind) ? kind
        : FaultNames.TryParse(fault, out kind) ? kind
        : throw new ArgumentException($"'{fault}' is not a fault the simulators can inject; use one of: {string.Join("; ", FaultWords.Keys)}.");

    public void InjectFault(ProviderDefinition provider, string fault, string scenario, int? afterChunks = null, int? count = null, TimeSpan? retryAfter = null)
    {
        // The scope first: on the live target nothing is marked faulty, so nothing can be asked of it afterwards.
        var scope = endpoints.For(provider, scenario).RequireScope();
        UseProvider(provider, scenario);
        var kind = ParseFault(fault);
        _fault = FaultNames.NameOf(kind);
        _retryAfter = kind == FaultKind.RateLimitSequence ? retryAfter ?? DefaultRetryAfter : null;
        var options = new FaultOptions
        {
            Count = count,
            AfterChunks = afterChunks,
            RetryAfter = _retryAfter,
            Delay = kind switch
            {
                FaultKind.SlowFirstToken => SlowFirstTokenDelay,
                FaultKind.StalledStream => StallDelay,
                _ => null,
            },
            // The catalog has no model; every other fault is aimed at the model the scenario asks.
            Model = kind == FaultKind.CatalogUnavailable ? null : ScenarioEndpoints.EverydayModel(provider),
        };
        scope.InjectFault(kind, options);
    }

    public void RateLimit(ProviderDefinition provider, int requests, double retryAfterSeconds, string scenario) =>
        InjectFault(provider, FaultNames.NameOf(FaultKind.RateLimitSequence), scenario, count: requests, retryAfter: TimeSpan.FromSeconds(retryAfterSeconds));

    public void RetriesOff() => _resilience = _resilience with { MaxRetries = 0 };

    public void AllowRetries(int times, int millisecondsApart) =>
        _resilience = _resilience with { MaxRetries = times, BaseDelay = TimeSpan.FromMilliseconds(millisecondsApart), UseJitter = false };

    public void CapRetryAfter(double seconds) => _resilience = _resilience with { MaxRetryAfter = TimeSpan.FromSeconds(seconds) };

    public void SetTimeout(string which, int milliseconds) => _resilience = which switch
    {
        "first token" or "first-token" => _resilience with { FirstTokenTimeout = TimeSpan.FromMilliseconds(milliseconds) },
        "whole call" or "whole-call" => _resilience with { TotalTimeout = TimeSpan.FromMilliseconds(milliseconds) },
        _ => throw new ArgumentException($"There is no '{which}' timeout; use 'first token' or 'whole call'."),
    };

    // ---- When ----

    /// <summary>Asks the faulty provider for an answer, streamed or not, through a session with the configured resilience.</summary>
    public async Task AskAsync(string mode)
    {
        var streaming = mode switch
        {
            "streaming" => true,
            "non-streaming" => false,
            _ => throw new ArgumentException($"'{mode}' is not a mode; use 'streaming' or 'non-streaming'."),
        };
        _mode = mode;
        var endpoint = FaultyEndpoint();
        _http ??= _wire.CreateClient();
        var model = ScenarioEndpoints.EverydayModel(Provider);
        var chatOptions = new ChatOptions { MaxOutputTokens = AnswerTokens };
        var clock = Stopwatch.StartNew();
        _call = await Attempt<ChatResult>.RunAsync(() => Bounded.RunAsync(_resilience.TotalTimeout + SafetyMargin,
            $"a {mode} call to {Provider.DisplayName} under the fault '{_fault}'", async safety =>
            {
                try
                {
                    await using var session = endpoint.OpenSession(http: _http, resilience: _resilience);
                    var chat = session.CreateChatClient(model);
                    if (!streaming) return await chat.CompleteAsync("Name three primary colours.", chatOptions, safety);
                    var stream = chat.Stream("Name three primary colours.", chatOptions);
                    await foreach (var _ in stream.WithCancellation(safety)) Interlocked.Increment(ref _chunksReceived);
                    return stream.Result;
                }
                finally
                {
                    _elapsed = clock.Elapsed;
                }
            }), transcript);
    }

    public async Task AskForCatalogAsync()
    {
        _mode = "catalog";
        var endpoint = FaultyEndpoint();
        var clock = Stopwatch.StartNew();
        _catalog = await Attempt<CatalogListing>.RunAsync(() => Bounded.RunAsync(TimeSpan.FromSeconds(10) + SafetyMargin,
            $"the model catalog of {Provider.DisplayName} under the fault '{_fault}'", async _ =>
            {
                try
                {
                    await using var session = endpoint.OpenSession(http: null, catalogTimeout: TimeSpan.FromSeconds(10));
                    return await session.Catalog.GetModelsAsync(forceRefresh: true);
                }
                finally
                {
                    _elapsed = clock.Elapsed;
                }
            }), transcript);
    }

    // ---- Then ----

    private Attempt<ChatResult> Call => _call ?? throw new InvalidOperationException("The faulty provider was not asked for an answer yet.");

    /// <summary>The call ended — answered or failed — within its whole-call timeout plus a margin for scheduling on a busy machine.</summary>
    public void ShouldEndWithinConfiguredTimeout(TimeSpan margin)
    {
        _ = Call;
        var bound = _resilience.TotalTimeout + margin;
        _elapsed.ShouldBeLessThan(bound,
            $"the {_mode} call under '{_fault}' took {_elapsed.TotalMilliseconds:0} ms; the whole-call timeout of {_resilience.TotalTimeout.TotalMilliseconds:0} ms (+{margin.TotalMilliseconds:0} ms margin) should have ended it");
    }

    /// <summary>The failure came no sooner than the given timeout, and no later than <paramref name="margin"/> after it.</summary>
    public void ShouldFailAtTimeout(string which, TimeSpan margin)
    {
        Call.Succeeded.ShouldBeFalse($"the {_mode} call should have been ended by the {which} timeout, but it was answered after {_elapsed.TotalMilliseconds:0} ms");
        var bound = which switch
        {
            "first-token" => _resilience.FirstTokenTimeout,
            "whole-call" => _resilience.TotalTimeout,
            _ => throw new ArgumentException($"There is no '{which}' timeout; use 'first-token' or 'whole-call'."),
        };
        // Timers wake on a millisecond tick, so a deadline may fire a fraction of a millisecond before its nominal length.
        _elapsed.ShouldBeGreaterThanOrEqualTo(bound - TimerGranularity,
            $"the call failed after {_elapsed.TotalMilliseconds:0} ms, before its {which} timeout of {bound.TotalMilliseconds:0} ms could have fired: something else ended it ({Call.ErrorKey})");
        _elapsed.ShouldBeLessThan(bound + margin,
            $"the call failed after {_elapsed.TotalMilliseconds:0} ms, more than {margin.TotalMilliseconds:0} ms after its {which} timeout of {bound.TotalMilliseconds:0} ms");
    }

    public void ShouldRecoverAfter(int attempts)
    {
        var result = Call.ShouldSucceed();
        result.Text.ShouldNotBeNullOrWhiteSpace("the recovered answer should carry text");
        result.Attempts.Count.ShouldBe(attempts, $"attempts recorded by the layer: {string.Join(", ", result.Attempts.Select(a => a.Outcome))}");
        result.Attempts[^1].Succeeded.ShouldBeTrue("the last attempt should be the one that succeeded");
        result.Attempts.Take(attempts - 1).ShouldAllBe(a => a.Outcome == ErrorKeys.RateLimited, "every attempt before the answer met the rate limit");
        ProviderShouldHaveReceived(attempts);
    }

    /// <summary>Each retry waited at least what the provider asked for — as the layer planned it, and as measured on the wire.</summary>
    public void RetriesShouldHaveWaitedForRetryAfter()
    {
        var retryAfter = _retryAfter ?? throw new InvalidOperationException("No rate limit with a Retry-After was injected in this scenario.");
        var attempts = Call.Succeeded ? Call.Value!.Attempts : ((ProviderException)Call.Error!).Attempts;
        var retried = attempts.Where(a => !a.Succeeded && a.DelayBeforeNext is not null).ToList();
        retried.ShouldNotBeEmpty("no attempt was retried, so no wait could be checked");
        foreach (var attempt in retried)
            attempt.DelayBeforeNext!.Value.ShouldBeGreaterThanOrEqualTo(retryAfter,
                $"attempt {attempt.Number} was retried after {attempt.DelayBeforeNext.Value.TotalMilliseconds:0} ms, sooner than the Retry-After of {retryAfter.TotalMilliseconds:0} ms");

        // On the wire, from one request leaving to the next: it includes the rate-limited answer, so it can only be longer
        // than the wait; a timer may wake a little early, hence the granularity.
        var wire = _wire.ChatRequests;
        wire.Count.ShouldBe(attempts.Count, "every attempt should have left the client exactly once");
        for (var i = 1; i < wire.Count; i++)
        {
            var gap = wire[i].Started - wire[i - 1].Started;
            gap.ShouldBeGreaterThanOrEqualTo(retryAfter - TimerGranularity,
                $"request {i + 1} left {gap.TotalMilliseconds:0.0} ms after request {i}, which was rate-limited with a Retry-After of {retryAfter.TotalMilliseconds:0} ms");
        }
    }

    public void ProviderShouldHaveReceived(int requests)
    {
        var received = ChatRequestsAtProvider();
        received.Count.ShouldBe(requests,
            $"{Provider.DisplayName} received {received.Count} chat requests: {string.Join("; ", received.Select(r => $"#{r.Ordinal} {r.StatusCode} [{string.Join(",", r.FaultsApplied)}]"))}");
    }

    /// <summary>Attempts never exceed the retry budget: max retries + 1, by the layer's count and by the provider's log.</summary>
    public void RetriesShouldStayWithinBudget()
    {
        var budget = _resilience.MaxRetries + 1;
        var attempts = Call.Succeeded ? Call.Value!.Attempts : ((ProviderException)Call.Error!).Attempts;
        attempts.Count.ShouldBeLessThanOrEqualTo(budget, $"the layer made {attempts.Count} attempts with {_resilience.MaxRetries} retries allowed");
        var received = ChatRequestsAtProvider().Count;
        received.ShouldBeLessThanOrEqualTo(budget, $"{Provider.DisplayName} received {received} chat requests with {_resilience.MaxRetries} retries allowed");
        received.ShouldBe(attempts.Count, "the provider's log and the layer's attempts should agree");
    }

    /// <summary>A stream cut off after some chunks failed; the chunks it had delivered were not passed off as an answer.</summary>
    public void PartialStreamShouldNotBeAnAnswer()
    {
        _mode.ShouldBe("streaming", "only a streamed answer can be cut off part-way");
        Call.Succeeded.ShouldBeFalse($"the stream was cut off, yet it was reported as an answer: '{Call.Value?.Text}' ({Call.Value?.StreamedChunks} chunks)");
        _chunksReceived.ShouldBeGreaterThan(0, "no chunk arrived before the fault, so this does not show what happens to a partial answer");
        var served = ChatRequestsAtProvider().ShouldHaveSingleItem("one streamed request should have reached the provider");
        served.FinishReason.ShouldBeNull("the provider never sent a finish reason, so the answer cannot be complete");
    }

    private CatalogListing Catalog => (_catalog ?? throw new InvalidOperationException("The model catalog was not asked for yet.")).ShouldSucceed();

    /// <summary>
    /// The catalog answered from the bundled snapshot, said so, and gave the reason a user is shown: it leads with the error
    /// key and says the snapshot is shown.
    /// </summary>
    public void CatalogShouldFallBackBecauseOf(string errorKey)
    {
        var listing = Catalog;
        listing.FellBackToSnapshot.ShouldBeTrue($"the catalog should have come from the bundled snapshot while the model list failed; it came from {listing.Source}");
        listing.Models.Count.ShouldBeGreaterThan(0, "the snapshot should still list the provider's models");
        listing.Models.ShouldAllBe(m => m.ProviderId == Provider.Id, "the snapshot's models should all be the provider's own");
        CatalogReasonKey().ShouldBe(errorKey, $"the fallback reason was: {listing.FallbackReason}");
        (listing.FallbackReason ?? "").ShouldContain("snapshot", Case.Insensitive, $"the fallback reason should say the snapshot is shown: {listing.FallbackReason}");
    }

    /// <summary>The snapshot the catalog fell back to still states a model's kind and context window.</summary>
    public void SnapshotShouldShow(string model, ModelKind kind, int contextWindow)
    {
        var found = Catalog.Models.FirstOrDefault(m => m.Id == model)
                    ?? throw new ShouldAssertException($"the bundled snapshot has no {Provider.DisplayName} model '{model}' (it has {Catalog.Models.Count})");
        found.Kind.ShouldBe(kind, $"{model}'s kind in the snapshot");
        found.ContextWindow.ShouldBe(contextWindow, $"{model}'s context window in the snapshot");
    }

    private string? CatalogReasonKey()
    {
        if (_catalog is not { Succeeded: true, Value: { } listing }) return _catalog?.ErrorKey;
        if (!listing.FellBackToSnapshot) return "success";
        var reason = listing.FallbackReason ?? "";
        var colon = reason.IndexOf(':');
        return colon > 0 ? reason[..colon] : reason;
    }

    private IReadOnlyList<SimulatedRequest> ChatRequestsAtProvider() =>
        FaultyEndpoint().RequireScope().Requests
        .Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).ToList();

    private void UseProvider(ProviderDefinition provider, string scenario)
    {
        _faulted.Add(provider.Id);
        _provider = provider;
        _endpoint = endpoints.For(provider, scenario);
    }

    /// <summary>"The faulty provider" of a scenario: faults at several providers (a fallback chain) leave no single one.</summary>
    private ProviderEndpoint FaultyEndpoint() => _faulted.Count switch
    {
        0 => throw new InvalidOperationException("No provider was given a fault yet: start with a fault at Groq or Together AI."),
        1 => _endpoint!,
        _ => throw new InvalidOperationException($"Faults were injected at {string.Join(" and ", _faulted)}, so there is no single faulty provider to ask."),
    };

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        _wire.Dispose();
        await Task.CompletedTask;
    }
}
