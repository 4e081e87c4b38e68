using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.ProviderAdapter;
using ProviderSpecs.Benchmarking.Targets;
using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Cli.Tests;

/// <summary>The benchmark adapter against the simulated Groq; every figure is checked against what the simulator served.</summary>
public class ProviderChatTargetTests
{
    private SimulatedProviders _simulators = null!;

    [OneTimeSetUp]
    public async Task Start() =>
        _simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq], TimeScale = 0.2 });

    [OneTimeTearDown]
    public async Task Stop() => await _simulators.DisposeAsync();

    private SimulatedProvider Groq => _simulators["groq"];

    private ProviderChatTarget Target(SimulatorScope scope, bool streaming = true,
        CredentialResolutionMode credentials = CredentialResolutionMode.Once, LiveBudget? budget = null, Action<ProviderChatObservation>? observe = null) =>
        new(new ProviderChatTargetOptions
        {
            Provider = "groq",
            Model = "llama-3.1-8b-instant",
            BaseUrl = Groq.BaseUrl,
            Environment = CliHarness.FakeEnvironment(new Dictionary<string, string> { ["GROQ_API_KEY"] = scope.ApiKey }),
            MaxOutputTokens = 16,
            Streaming = streaming,
            CredentialResolution = credentials,
            Budget = budget,
            OnCompleted = observe,
        });

    [Test]
    public async Task Measured_ttft_is_never_below_the_first_chunk_delay_the_simulator_served()
    {
        var scope = Groq.OpenScope("adapter ttft");
        var observations = new List<ProviderChatObservation>();
        await using var target = Target(scope, observe: o => { lock (observations) observations.Add(o); });

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 5, WarmupRequests = 1 });

        result.Succeeded.ShouldBe(5);
        var served = scope.Requests.Skip(1).Select(r => r.Timing.FirstChunkDelay!.Value.TotalMilliseconds).ToList();
        served.Count.ShouldBe(5);
        // Per request, measured TTFT (client start → first content chunk) ≥ served delay (arrival → first chunk written),
        // so the same order holds between their minima, maxima and means.
        result.Ttft.ValueOf(Percentile.Min).ShouldBeGreaterThanOrEqualTo(Math.Floor(served.Min() * 1000) / 1000);
        result.Ttft.ValueOf(Percentile.Max).ShouldBeGreaterThanOrEqualTo(Math.Floor(served.Max() * 1000) / 1000);
        result.Ttft.ValueOf(Percentile.Mean).ShouldBeGreaterThanOrEqualTo(Math.Floor(served.Average() * 1000) / 1000);
        // And paired by request id, the provider layer's own TTFT holds the same relation.
        var byId = scope.Requests.ToDictionary(r => r.RequestId);
        foreach (var o in observations)
            o.TimeToFirstToken!.Value.ShouldBeGreaterThanOrEqualTo(byId[o.RequestId!].Timing.FirstChunkDelay!.Value);
        // The simulator says per request when its first chunk left (x-simulator-served): measured − served per request.
        result.TtftError.Count.ShouldBe(5);
        result.TtftError.ValueOf(Percentile.Max).ShouldBeLessThan(result.Ttft.ValueOf(Percentile.Min), "the error is the client's share, not the whole TTFT");
        result.InterTokenGapError.Count.ShouldBeGreaterThan(0);
        result.QueueTime.Count.ShouldBe(5);
        result.OutputTokens.ShouldBe(5 * 16);
        result.Attempts.ValueOf(Percentile.Max).ShouldBe(1);
        result.InterTokenLatency.Count.ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task A_rate_limit_recovered_by_a_retry_is_counted_with_its_attempts_and_recovery_time()
    {
        var scope = Groq.OpenScope("adapter 429");
        var injected = 0;
        // The fault is asked for when the warm-up request completes, so the first measured request meets it.
        await using var target = Target(scope, observe: _ =>
        {
            if (Interlocked.Exchange(ref injected, 1) == 0)
                scope.InjectFault("rate-limit-sequence", new FaultOptions { Count = 1, RetryAfter = TimeSpan.FromMilliseconds(100) });
        });

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 3, WarmupRequests = 1 });

        scope.Requests.Count(r => r.StatusCode == 429).ShouldBe(1);
        result.Failed.ShouldBe(0);
        result.Succeeded.ShouldBe(3);
        result.RateLimitedResponses.ShouldBe(1);
        result.Attempts.ValueOf(Percentile.Max).ShouldBe(2);
        result.MaxRetryAfterSeconds!.Value.ShouldBe(0.1, 1e-9);
        result.RateLimitRecovery.Count.ShouldBe(1);
        result.RateLimitRecovery.ValueOf(Percentile.Min).ShouldBeGreaterThanOrEqualTo(100, "the retry waited for the Retry-After before succeeding");
    }

    [Test]
    public async Task Non_streaming_ttft_is_the_whole_reply_and_cold_mode_still_succeeds()
    {
        var scope = Groq.OpenScope("adapter non-streaming");
        await using var target = Target(scope, streaming: false);

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions
        {
            Load = new ClosedLoopLoad(2), MaxRequests = 4, WarmupRequests = 1, ConnectionMode = ConnectionMode.NewConnectionPerRequest,
        });

        result.Succeeded.ShouldBe(4);
        result.ConnectionMode.ShouldBe("new-connection-per-request");
        result.Ttft.Count.ShouldBe(4);
        result.Ttft.ValueOf(Percentile.Max).ShouldBeLessThanOrEqualTo(result.EndToEnd.ValueOf(Percentile.Max));
        result.InterTokenLatency.Count.ShouldBe(0, "a non-streaming reply has no chunk gaps");
        scope.Requests.Count.ShouldBe(5);
        scope.Requests.ShouldAllBe(r => !r.Stream);
    }

    [Test]
    public async Task Per_request_credentials_resolve_the_chain_for_every_request()
    {
        var scope = Groq.OpenScope("adapter credentials");
        await using var target = Target(scope, credentials: CredentialResolutionMode.PerRequest);

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 4, WarmupRequests = 2 });

        result.Succeeded.ShouldBe(4);
        target.CredentialTiming.Resolutions.ShouldBe(6);
        target.CredentialTiming.Mode.ShouldBe(CredentialResolutionMode.PerRequest);
        target.CredentialTiming.Max.ShouldBeGreaterThanOrEqualTo(target.CredentialTiming.Mean);
    }

    [Test]
    public async Task A_spent_budget_refuses_requests_without_sending_them()
    {
        var scope = Groq.OpenScope("adapter budget");
        var budget = LiveBudget.OfRequests(3);
        await using var target = Target(scope, budget: budget);

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 4, WarmupRequests = 1 });

        scope.Requests.Count.ShouldBe(3);
        result.Succeeded.ShouldBe(2);
        result.ErrorsByKey[ProviderChatTarget.BudgetExhaustedKey].ShouldBe(2);
        budget.RequestsSpent.ShouldBe(3);
        budget.Refused.ShouldBe(2);
    }

    [Test]
    public void An_unknown_provider_or_a_missing_key_fails_before_any_request()
    {
        Should.Throw<UnknownProviderException>(() => new ProviderChatTarget(new ProviderChatTargetOptions { Provider = "grok", Model = "m" }))
            .CloseMatches.ShouldContain("groq");
        Should.Throw<MissingCredentialException>(() => new ProviderChatTarget(new ProviderChatTargetOptions
        {
            Provider = "groq", Model = "llama-3.1-8b-instant", BaseUrl = Groq.BaseUrl, Environment = CliHarness.FakeEnvironment(),
        })).EnvironmentVariable.ShouldBe("GROQ_API_KEY");
    }

    [Test]
    public async Task A_reasoning_models_thinking_counts_as_generated_text_for_ttft_and_the_chunk_gaps()
    {
        // gpt-oss on Groq sends its thinking in delta.reasoning before the answer; the usage counts both.
        static string Delta(string delta, string? finish = null) =>
            "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"openai/gpt-oss-20b\",\"choices\":[{\"index\":0,\"delta\":"
            + delta + ",\"finish_reason\":" + (finish is null ? "null" : $"\"{finish}\"") + "}]}\n\n";
        var sse = Delta("""{"role":"assistant","content":""}""") + Delta("""{"reasoning":"Think"}""") + Delta("""{"reasoning":"ing."}""")
                  + Delta("""{"content":"Hi"}""") + Delta("""{"content":"!"}""") + Delta("{}", "stop")
                  + "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"openai/gpt-oss-20b\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9}}\n\ndata: [DONE]\n\n";
        using var server = WireMock.Server.WireMockServer.Start();
        server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/openai/v1/chat/completions").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "text/event-stream").WithBody(sse));
        await using var target = new ProviderChatTarget(new ProviderChatTargetOptions
        {
            Provider = "groq",
            Model = "openai/gpt-oss-20b",
            BaseUrl = new Uri(server.Url! + "/openai/v1"),
            Environment = CliHarness.FakeEnvironment(new Dictionary<string, string> { ["GROQ_API_KEY"] = CliHarness.FakeGroqKey }),
            MaxOutputTokens = 16,
        });

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 3, WarmupRequests = 1, KeepRequests = true });

        result.Succeeded.ShouldBe(3, string.Join(", ", result.ErrorsByKey));
        result.OutputTokens.ShouldBe(12);
        result.Requests!.ShouldAllBe(r => r.ChunksMs.Count == 4, "two chunks of thinking and two of answer, each a generated token");
        result.InterTokenLatency.Count.ShouldBe(3 * 3);
    }
}
