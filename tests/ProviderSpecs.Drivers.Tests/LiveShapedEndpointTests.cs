using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;

using static ProviderSpecs.Drivers.Tests.TestProviders;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>
/// Every driver on a live-shaped endpoint: the target is <see cref="TargetKind.Live"/>, so its endpoints carry no key and
/// no base URL — the credential chain and <c>*_BASE_URL</c> answer, as against the real APIs. Here they answer from a
/// test environment that points at simulators on 127.0.0.1 with the simulators' test keys.
/// <para>While these tests run, the process's own <c>GROQ_BASE_URL</c> / <c>TOGETHER_BASE_URL</c> point at hosts that can
/// never resolve (RFC 6761 <c>.invalid</c>): a driver that wrongly reads the process instead of the target's environment
/// fails here and sends nothing anywhere, whatever keys the machine holds.</para>
/// </summary>
[TestFixture]
[NonParallelizable] // sets process environment variables
public sealed class LiveShapedEndpointTests
{
    private static readonly Dictionary<string, string> ProcessGuard = new()
    {
        ["GROQ_BASE_URL"] = "http://groq-process-environment.invalid/openai/v1",
        ["TOGETHER_BASE_URL"] = "http://together-process-environment.invalid/v1",
    };

    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private Dictionary<string, string?> _processBefore = null!;
    private DirectoryInfo _sandbox = null!;
    private SimulatedProviders _simulators = null!;
    private SpecTarget _target = null!;


    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _processBefore = ProcessGuard.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in ProcessGuard) Environment.SetEnvironmentVariable(name, value);
        _sandbox = Directory.CreateTempSubdirectory("live-shaped-");
        _simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { TimeScale = 0.01 });
        foreach (var simulator in _simulators)
            _variables[ProviderRegistry.Default.Resolve(simulator.Id).BaseUrlEnvVar] = simulator.BaseUrl.ToString();
        var environment = new CredentialEnvironment
        {
            GetEnvironmentVariable = name => _variables.GetValueOrDefault(name),
            WorkingDirectory = _sandbox.FullName, // no .env here
            UserConfigDirectory = _sandbox.FullName, // no providerspecs/credentials.json here
        };
        _target = await SpecTarget.StartAsync(TargetKind.Live, credentialEnvironment: environment);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _target.DisposeAsync();
        await _simulators.DisposeAsync();
        foreach (var (name, value) in _processBefore) Environment.SetEnvironmentVariable(name, value);
        _sandbox.Delete(recursive: true);
    }

    /// <summary>Fresh simulator scopes whose keys are what the credential chain finds (GROQ_API_KEY, TOGETHER_API_KEY).</summary>
    private (SimulatorScope Groq, SimulatorScope Together) KeysOfFreshScopes(string test)
    {
        var groq = _simulators["groq"].OpenScope(test);
        var together = _simulators["together_ai"].OpenScope(test);
        _variables[Groq.KeyEnvVar] = groq.ApiKey;
        _variables[Together.KeyEnvVar] = together.ApiKey;
        return (groq, together);
    }

    private static int ChatRequests(SimulatorScope scope) => scope.Requests.Count(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));

    [Test]
    public void The_live_shaped_endpoint_carries_no_key_and_no_base_url()
    {
        var endpoint = _target.Endpoint("groq", "shape");
        endpoint.BaseUrl.ShouldBeNull();
        endpoint.ApiKey.ShouldBeNull();
        endpoint.Scope.ShouldBeNull();
        KeysOfFreshScopes("shape");
        _target.SkipReason(["groq", "together_ai"]).ShouldBeNull("the target's environment holds both keys");
        using var session = endpoint.OpenSession();
        session.BaseUrlSource.ShouldBe(Providers.BaseUrlSource.EnvironmentVariable);
        session.BaseUrl.IsLoopback.ShouldBeTrue();
        session.Credential.Source.ShouldBe("environment");
    }

    [Test]
    public async Task Catalog_driver_reads_and_checks_the_catalog()
    {
        var (groq, _) = KeysOfFreshScopes("catalog");
        await using var endpoints = new ScenarioEndpoints(_target);
        var catalog = new CatalogDriver(endpoints, new ScenarioTranscript());

        await catalog.ReadAsync(Groq, "catalog");
        catalog.ShouldComeFromTheProvider(Groq);
        await catalog.ShouldAgreeWithTheProvidersOwnListAsync(Groq);
        catalog.ModelShouldBe("llama-3.1-8b-instant", ModelKind.Chat, 131072);

        groq.Requests.Count(r => r.Path.EndsWith("/models", StringComparison.Ordinal)).ShouldBe(2, "the layer's /models and the raw one");
    }

    [Test]
    public async Task Completion_driver_asks_and_streams()
    {
        var (groq, _) = KeysOfFreshScopes("completion");
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());

        await completion.RequestAsync(Groq, "llama-3.1-8b-instant", "completion");
        completion.AnswerShouldHaveText();
        completion.AnswerShouldFinishWith("stop");
        completion.AnswerShouldReportUsage();
        completion.AnswerShouldIdentifyTheRequest();
        await completion.StreamAsync(Groq, "llama-3.1-8b-instant", "completion");
        completion.StreamShouldDeliverInOrder(2);
        completion.StreamShouldReportUsage();

        ChatRequests(groq).ShouldBe(2);
    }

    [Test]
    public async Task Credential_driver_sends_the_key_the_chain_found_as_a_Bearer_token()
    {
        var (groq, _) = KeysOfFreshScopes("credential");
        var transcript = new ScenarioTranscript();
        using var credentials = new CredentialDriver(_target, transcript);

        await credentials.CompleteWithKeyAsync(Groq, "credential", key: null);
        credentials.KeyShouldTravelAsBearer();
        credentials.NoOutputShouldContainTheKeys(credentials.SimulatorLogs());

        ChatRequests(groq).ShouldBe(1, "the completion reached the scope whose key the chain found");
        transcript.RequireLastAttempt().Succeeded.ShouldBeTrue(transcript.Text);
    }

    [Test]
    public async Task Fine_tuning_driver_reaches_the_service_with_the_chain_key_and_base_url()
    {
        var (_, together) = KeysOfFreshScopes("fine-tuning");
        await using var endpoints = new ScenarioEndpoints(_target);
        var fineTuning = new FineTuningDriver(endpoints, new ScenarioTranscript());

        await fineTuning.CatalogAndServiceShouldAgreeAsync(Together, "fine-tuning");
        await fineTuning.CreateJobAsync(Together, "openai/gpt-oss-20b", "fine-tuning");
        fineTuning.JobShouldBe("pending");

        together.Requests.Count(r => r.Path.Contains("/fine-tunes", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Test]
    public async Task Integration_driver_chains_limits_and_hands_over()
    {
        var (groq, together) = KeysOfFreshScopes("integration");
        await using var endpoints = new ScenarioEndpoints(_target);
        await using var integration = new IntegrationDriver(endpoints, new ScenarioTranscript());

        integration.ChainOf([Groq, Together]);
        await integration.AskTheChainAsync("integration");
        integration.ChainShouldBeAnsweredBy(Groq);
        await integration.SendConcurrentAsync(Groq, 4, "streaming", "integration");
        integration.AllConcurrentRequestsShouldBeAnswered(4);
        await integration.BeginConversationAsync(Together, "Name three primary colours.", "integration");
        await integration.ContinueConversationAsync(Groq, "Which of them is the warmest?", "integration");
        integration.ConversationAnswerShouldBeComplete(Groq);
        integration.WholeConversationShouldHaveLeftFor(Groq, Together);

        ChatRequests(groq).ShouldBe(6);
        ChatRequests(together).ShouldBe(1);
    }

    [Test]
    public async Task Provider_registry_driver_lists_models_through_the_layer()
    {
        var (_, together) = KeysOfFreshScopes("registry");
        var registry = new ProviderRegistryDriver(_target, new ScenarioTranscript());

        await registry.ListModelsThroughTheLayerAsync(Together, "registry");
        registry.ProviderShouldAnswerLive();
        registry.ShouldListAtLeast([("any kind", 3)]);

        together.Requests.ShouldContain(r => r.Path.EndsWith("/models", StringComparison.Ordinal));
    }

    [Test]
    public async Task Reliability_driver_refuses_fault_injection_before_sending_anything()
    {
        var (groq, _) = KeysOfFreshScopes("reliability");
        await using var endpoints = new ScenarioEndpoints(_target);
        await using var reliability = new ReliabilityDriver(endpoints, new ScenarioTranscript());

        Should.Throw<InvalidOperationException>(() => reliability.InjectFault(Groq, "overloaded", "reliability"))
            .Message.ShouldContain("@simulator_only");
        await Should.ThrowAsync<InvalidOperationException>(() => reliability.AskAsync("non-streaming"));

        groq.Requests.ShouldBeEmpty();
    }

    [Test]
    public async Task Performance_driver_measures_through_the_chain_key_and_base_url()
    {
        var (groq, _) = KeysOfFreshScopes("performance");
        var performance = new PerformanceDriver(_target, new ScenarioTranscript());

        await performance.MeasureAsync(Groq, "llama-3.1-8b-instant", requests: 4, concurrency: 2, streaming: true, "performance");
        performance.EveryRequestShouldSucceed();
        performance.Last.Succeeded.ShouldBe(4);

        ChatRequests(groq).ShouldBeGreaterThanOrEqualTo(4);
    }

    [Test]
    public async Task An_account_with_small_limits_paces_itself_after_the_first_answer_instead_of_meeting_429s()
    {
        var (_, together) = KeysOfFreshScopes("paced");
        together.SetRateLimits(new RateLimitOptions().With(RateLimitWindow.RequestsPerSecond, 2)); // announced on every answer
        await using var session = _target.Endpoint("together_ai", "paced").OpenSession();
        var chat = session.CreateChatClient("meta-llama/Meta-Llama-3-8B-Instruct-Lite");
        var options = new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 8 };
        await chat.CompleteAsync("Say hello.", options); // the first answer announces 2 requests per second

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => chat.CompleteAsync($"Say hello {i}.", options)));

        answers.ShouldAllBe(a => a.Text.Length > 0);
        together.Requests.Count(r => r.StatusCode == 429).ShouldBe(0, "the pacer held the burst under the announced limit");
        System.Diagnostics.Stopwatch.GetElapsedTime(started).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(3), "8 requests at 2 per second, after one, take at least 3 s");
        _target.Pacer!.RecordOf("together_ai", "meta-llama/Meta-Llama-3-8B-Instruct-Lite").Held.ShouldBeGreaterThanOrEqualTo(6);
    }

    [Test]
    public async Task A_measurement_the_accounts_known_limits_cannot_serve_is_skipped_before_anything_is_sent()
    {
        var (_, together) = KeysOfFreshScopes("unmeasurable");
        together.SetRateLimits(new RateLimitOptions().With(RateLimitWindow.RequestsPerSecond, 2));
        const string model = "meta-llama/Llama-3.3-70B-Instruct-Turbo";
        await using (var session = _target.Endpoint("together_ai", "unmeasurable").OpenSession())
            await session.CreateChatClient(model).CompleteAsync("Say hello.", new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 8 });
        var sent = ChatRequests(together);
        var performance = new PerformanceDriver(_target, new ScenarioTranscript());

        var skip = await Should.ThrowAsync<ScenarioCannotRunException>(() =>
            performance.MeasureAsync(Together, model, requests: 20, concurrency: 8, streaming: true, "unmeasurable"));

        skip.Message.ShouldStartWith("not measured:");
        skip.Message.ShouldContain("2 requests per second (response headers)");
        skip.Message.ShouldContain("8 of them at once");
        ChatRequests(together).ShouldBe(sent, "nothing was sent for the measurement");
    }

    [Test]
    public async Task Errors_under_load_fail_the_error_rate_live_unless_they_are_all_the_accounts_rate_limits()
    {
        var (groq, _) = KeysOfFreshScopes("errors under load");
        var performance = new PerformanceDriver(_target, new ScenarioTranscript());
        // The measurement's warm-up (one answer per slot) meets the first 4; the measured answers the rest.
        groq.InjectFault(FaultKind.ServerError, new FaultOptions { Count = 8 });
        await performance.MeasureAsync(Groq, "llama-3.1-8b-instant", requests: 16, concurrency: 4, streaming: true, "errors under load");
        performance.Last.Failed.ShouldBeGreaterThanOrEqualTo(1, "the provider's own errors reached the measured answers");
        Should.Throw<ShouldAssertException>(() => performance.ErrorRateShouldBeAtMost(0, 20))
            .Message.ShouldContain("server-error", Case.Sensitive, "the provider's own errors fail the scenario live, never skip it");

        var (limited, _) = KeysOfFreshScopes("errors under load, rate-limited");
        var throttled = new PerformanceDriver(_target, new ScenarioTranscript());
        limited.InjectFault(FaultKind.RateLimitSequence, new FaultOptions { Count = 10, RetryAfter = TimeSpan.FromMilliseconds(20) });
        var skip = await Should.ThrowAsync<ScenarioCannotRunException>(async () =>
        {
            await throttled.MeasureAsync(Groq, "llama-3.1-8b-instant", requests: 16, concurrency: 4, streaming: true, "errors under load, rate-limited");
            throttled.ErrorRateShouldBeAtMost(1, 20);
        });
        skip.Message.ShouldContain("rate limits", Case.Sensitive, "the account's rate limits skip the scenario, never fail it");
    }
}
