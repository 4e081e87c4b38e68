using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;

using static ProviderSpecs.Drivers.Tests.TestProviders;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>
/// Issue 19: each check of its functional items is shown failing once, against the in-process simulators with the system
/// altered so the check must fail — a shrunk simulated catalog, a simulator with a smaller window than the catalog states,
/// a client that drops what it should send, a proxy or provider that changes what it receives or answers, a registry entry
/// that cannot be used — and each failure names what was wrong. Beside each, the check passing on the unaltered system.
/// </summary>
[TestFixture]
[NonParallelizable] // the alterations of the shared target are set per test
public sealed class ChecksThatFailTests
{

    private const string Everyday = "llama-3.1-8b-instant";
    private const string TogetherLarge = "meta-llama/Llama-3.3-70B-Instruct-Turbo";
    private const string TogetherLite = "meta-llama/Meta-Llama-3-8B-Instruct-Lite";

    private SpecTarget _target = null!;
    private SpecTarget _altered = null!;
    private DirectoryInfo _fixtures = null!;

    /// <summary>What the client's handler does to a request before it is recorded as sent: (path, body) → whether it changed it.</summary>
    private Func<string, JsonObject, bool>? _clientAltersRequest;
    /// <summary>What the wire does to a request after it left the client.</summary>
    private Func<string, JsonObject, bool>? _wireAltersRequest;
    /// <summary>What the wire does to a JSON answer: (request path, answer) → whether it changed it.</summary>
    private Func<string, JsonNode, bool>? _wireAltersAnswer;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _target = await SpecTarget.StartAsync(TargetKind.Simulated, alterations: new TargetAlterations
        {
            InTheClient = inner => new Altering(inner, () => (_clientAltersRequest, null)),
            OnTheWire = inner => new Altering(inner, () => (_wireAltersRequest, _wireAltersAnswer)),
        });
        _fixtures = AlteredFixtures();
        _altered = await SpecTarget.StartAsync(TargetKind.Simulated, fixturesDirectory: _fixtures.FullName);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _target.DisposeAsync();
        await _altered.DisposeAsync();
        _fixtures.Delete(recursive: true);
    }

    [SetUp]
    public void Unaltered()
    {
        _clientAltersRequest = null;
        _wireAltersRequest = null;
        _wireAltersAnswer = null;
    }

    /// <summary>
    /// The repository's fixtures, with Together AI's simulated catalog shrunk to its first four models (all chat), and
    /// Llama 3.3 70B served without a stated context length while the simulator enforces 65 536 tokens: a provider that
    /// narrowed the window without saying so, so the catalog states the snapshot's 131 072.
    /// </summary>
    private static DirectoryInfo AlteredFixtures()
    {
        var source = new DirectoryInfo(FixturesLocator.Find());
        var copy = Directory.CreateTempSubdirectory("altered-fixtures-");
        foreach (var file in source.EnumerateFiles("*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(copy.FullName, Path.GetRelativePath(source.FullName, file.FullName));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            file.CopyTo(to);
        }
        var together = Path.Combine(copy.FullName, "simulators", "together-models.json");
        var catalog = JsonNode.Parse(File.ReadAllText(together), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        var models = catalog["models"]!.AsArray();
        while (models.Count > 4) models.RemoveAt(models.Count - 1);
        var large = models.Single(m => (string?)m!["id"] == TogetherLarge)!.AsObject();
        large.Remove("context_length");
        large["simulator"]!["contextWindow"] = 65536;
        File.WriteAllText(together, catalog.ToJsonString());
        return copy;
    }

    private static bool IsChat(string path) => path.EndsWith("/chat/completions", StringComparison.Ordinal);

    // ---- 1. catalog floors per kind ----

    [Test]
    public async Task Catalog_floors_hold_for_the_simulated_Together_AI_catalog()
    {
        var registry = new ProviderRegistryDriver(_target, new ScenarioTranscript());
        await registry.ListModelsThroughTheLayerAsync(Together, "floors hold");
        registry.ShouldListAtLeast([("any kind", 30), ("chat", 20), ("code", 1), ("embedding", 2), ("rerank", 1), ("image", 1), ("moderation", 1)]);
    }

    [Test]
    public async Task Catalog_floors_fail_when_the_provider_lists_fewer_models_of_a_kind()
    {
        var registry = new ProviderRegistryDriver(_altered, new ScenarioTranscript());
        await registry.ListModelsThroughTheLayerAsync(Together, "floors shrunk");
        registry.ProviderShouldAnswerLive().Models.Count.ShouldBe(4, "the shrunk simulator answered with its own list");

        var failure = Should.Throw<ShouldAssertException>(() => registry.ShouldListAtLeast([("any kind", 30), ("chat", 20), ("code", 1), ("embedding", 2)]));

        failure.Message.ShouldContain("Together AI lists 4 models (4 chat)");
        failure.Message.ShouldContain("4 any kind model(s), fewer than 30");
        failure.Message.ShouldContain("4 chat model(s), fewer than 20");
        failure.Message.ShouldContain("0 code model(s), fewer than 1");
        failure.Message.ShouldContain("0 embedding model(s), fewer than 2");
    }

    [Test]
    public async Task Catalog_floors_refuse_the_snapshot_when_the_provider_does_not_answer()
    {
        // The provider's /models answers 503 (the catalog-unavailable fault, on the wire: the registry driver opens its own scope).
        var unavailable = new Altering.Unavailable();
        await using var target = await SpecTarget.StartAsync(TargetKind.Simulated, alterations: new TargetAlterations { OnTheWire = unavailable.Wrap });
        var registry = new ProviderRegistryDriver(target, new ScenarioTranscript());
        await registry.ListModelsThroughTheLayerAsync(Together, "floors unavailable");

        var failure = Should.Throw<ShouldAssertException>(() => registry.ShouldListAtLeast([("any kind", 3)]));

        failure.Message.ShouldContain("Together AI did not answer: ");
        failure.Message.ShouldContain("snapshot");
        unavailable.Refused.ShouldBeGreaterThan(0);
    }

    // ---- 2. the catalog's size filter ----

    [Test]
    public async Task Size_bounds_hold_for_the_models_narrowed_to_them()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        var catalog = new CatalogDriver(endpoints, new ScenarioTranscript());
        await catalog.ReadAsync(Together, "size holds");
        await catalog.NarrowToAtMostParametersAsync(10);
        catalog.EveryModelShouldHaveAtMostParameters(10);
        catalog.ShouldInclude(TogetherLite);
        catalog.ShouldLeaveOut(TogetherLarge);
    }

    [Test]
    public async Task Size_bound_check_fails_when_a_model_outside_the_bound_is_left_in()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        var catalog = new CatalogDriver(endpoints, new ScenarioTranscript());
        await catalog.ReadAsync(Together, "size fails");
        // A looser bound than the one checked stands in for a filter that let a 70B model through.
        await catalog.NarrowToAtMostParametersAsync(100);

        var failure = Should.Throw<ShouldAssertException>(() => catalog.EveryModelShouldHaveAtMostParameters(10));
        failure.Message.ShouldContain("do not state at most 10 billion parameters in their id");
        failure.Message.ShouldContain(TogetherLarge);
        failure.Message.ShouldNotContain(TogetherLite);
        Should.Throw<ShouldAssertException>(() => catalog.ShouldLeaveOut(TogetherLarge)).Message.ShouldContain($"should leave out {TogetherLarge}");
    }

    [Test]
    public async Task Size_bound_check_fails_for_a_model_whose_id_states_no_size()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        var catalog = new CatalogDriver(endpoints, new ScenarioTranscript());
        await catalog.ReadAsync(Together, "size unknown");
        await catalog.NarrowToKindAsync(Providers.Catalog.ModelKind.Chat); // no size bound at all

        var failure = Should.Throw<ShouldAssertException>(() => catalog.EveryModelShouldHaveAtLeastParameters(100));
        failure.Message.ShouldContain("do not state at least 100 billion parameters in their id");
        failure.Message.ShouldContain("deepseek-ai/DeepSeek-R1", Case.Sensitive, "an id that states no size");
        failure.Message.ShouldContain(TogetherLarge, Case.Sensitive, "70B is under the bound");
    }

    // ---- 3. parameters reach the provider ----

    [Test]
    public async Task A_parameter_leaves_the_client_and_reaches_the_provider()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());
        completion.SetOption("temperature", "0.2");
        await completion.RequestAsync(Groq, Everyday, "parameter holds");
        completion.AnswerShouldBeComplete();
        completion.RequestShouldHaveLeftWith("temperature", "0.2");
        completion.AnswerShouldAgreeWithOption("temperature", "0.2");
        completion.CompletionShouldHaveCarried(Groq, "temperature", "0.2");
    }

    [Test]
    public async Task A_parameter_the_client_drops_fails_the_request_as_sent()
    {
        _clientAltersRequest = (path, body) => IsChat(path) && body.Remove("temperature");
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());
        completion.SetOption("temperature", "0.2");
        await completion.RequestAsync(Groq, Everyday, "parameter dropped");
        completion.AnswerShouldBeComplete(); // the provider answers all the same: the answer alone cannot show it

        var failure = Should.Throw<ShouldAssertException>(() => completion.RequestShouldHaveLeftWith("temperature", "0.2"));
        failure.Message.ShouldStartWith($"the request for {Everyday} as it left the client carries no 'temperature'");
        Should.Throw<ShouldAssertException>(() => completion.CompletionShouldHaveCarried(Groq, "temperature", "0.2"))
            .Message.ShouldContain("carries no 'temperature'");
    }

    [Test]
    public async Task A_parameter_changed_after_it_left_fails_what_the_provider_received_only()
    {
        _wireAltersRequest = (path, body) =>
        {
            if (!IsChat(path)) return false;
            body["temperature"] = 1.5;
            return true;
        };
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());
        completion.SetOption("temperature", "0.2");
        await completion.RequestAsync(Groq, Everyday, "parameter changed on the wire");

        completion.RequestShouldHaveLeftWith("temperature", "0.2"); // it did leave the client as given
        var failure = Should.Throw<ShouldAssertException>(() => completion.CompletionShouldHaveCarried(Groq, "temperature", "0.2"));
        failure.Message.ShouldBe("the request as Groq received it carries 'temperature' = 1.5, not 0.2");
    }

    [Test]
    public async Task An_answer_that_reports_another_value_back_fails_the_echo_check()
    {
        _wireAltersAnswer = (path, answer) =>
        {
            if (!IsChat(path) || answer is not JsonObject body) return false;
            body["service_tier"] = "flex"; // Groq reports the tier that served the request
            return true;
        };
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());
        completion.SetOption("service_tier", "on_demand");
        await completion.RequestAsync(Groq, Everyday, "echo differs");
        completion.RequestShouldHaveLeftWith("service_tier", "on_demand");

        var failure = Should.Throw<ShouldAssertException>(() => completion.AnswerShouldAgreeWithOption("service_tier", "on_demand"));
        failure.Message.ShouldBe("groq's answer, which reports 'service_tier' back carries 'service_tier' = \"flex\", not on_demand");
    }

    // ---- 4. answered alike across models ----

    private static async Task<CompletionDriver> AskGroqModelsAlikeAsync(ScenarioEndpoints endpoints, string scenario)
    {
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());
        completion.LimitTo(1000);
        completion.SetOptions([("temperature", "0.2"), ("top_p", "0.9"), ("seed", "42"), ("service_tier", "on_demand")]);
        await completion.RequestFromEachAsync(Groq, [Everyday, "llama-3.3-70b-versatile", "qwen/qwen3-32b"], scenario);
        return completion;
    }

    [Test]
    public async Task Groq_models_answer_alike_with_the_options_as_given()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = await AskGroqModelsAlikeAsync(endpoints, "alike holds");
        completion.EveryAnswerShouldBeComplete();
        completion.EveryRequestShouldHaveLeftWithTheOptions();
    }

    [Test]
    public async Task One_model_answering_without_usage_fails_answered_alike()
    {
        _wireAltersAnswer = (path, answer) => IsChat(path) && (string?)answer["model"] == "qwen/qwen3-32b" && answer.AsObject().Remove("usage");
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = await AskGroqModelsAlikeAsync(endpoints, "alike without usage");

        var failure = Should.Throw<ShouldAssertException>(completion.EveryAnswerShouldBeComplete);
        failure.Message.ShouldContain("qwen/qwen3-32b reports no token usage");
    }

    [Test]
    public async Task One_model_answering_with_another_finish_reason_fails_answered_alike()
    {
        _wireAltersAnswer = (path, answer) =>
        {
            if (!IsChat(path) || (string?)answer["model"] != "llama-3.3-70b-versatile") return false;
            answer["choices"]![0]!["finish_reason"] = "content_filter";
            return true;
        };
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = await AskGroqModelsAlikeAsync(endpoints, "alike finish reason");

        var failure = Should.Throw<ShouldAssertException>(completion.EveryAnswerShouldBeComplete);
        failure.Message.ShouldContain("llama-3.3-70b-versatile's finish reason (raw 'content_filter')");
    }

    [Test]
    public async Task One_model_asked_without_an_option_fails_every_request_left_with_the_options()
    {
        _clientAltersRequest = (path, body) => IsChat(path) && (string?)body["model"] == "llama-3.3-70b-versatile" && body.Remove("seed");
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = await AskGroqModelsAlikeAsync(endpoints, "alike without seed");
        completion.EveryAnswerShouldBeComplete();

        var failure = Should.Throw<ShouldAssertException>(completion.EveryRequestShouldHaveLeftWithTheOptions);
        failure.Message.ShouldContain("the request for llama-3.3-70b-versatile carries no 'seed'");
        failure.Message.ShouldNotContain($"the request for {Everyday}");
    }

    // ---- 5. a prompt just inside a 131 072-token window ----

    [Test]
    public async Task A_prompt_just_inside_the_131072_token_window_is_answered()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());
        completion.LimitTo(8);
        completion.PromptWithinWindow(16);
        await completion.RequestAsync(Together, TogetherLarge, "window holds");
        completion.AnswerShouldHaveText();
        completion.AnswerShouldReportUsage();
        completion.PromptShouldFillTheWindow(131072, 16);
    }

    [Test]
    public async Task A_provider_refusing_a_prompt_the_catalog_says_fits_fails_the_window_check()
    {
        await using var endpoints = new ScenarioEndpoints(_altered);
        var completion = new CompletionDriver(endpoints, new ScenarioTranscript());
        completion.LimitTo(8);
        completion.PromptWithinWindow(16);
        await completion.RequestAsync(Together, TogetherLarge, "window narrowed");

        var failure = Should.Throw<ShouldAssertException>(completion.AnswerShouldHaveText);
        failure.Message.ShouldStartWith("Expected success, but the attempt failed with 'context-length-exceeded'");
        Should.Throw<ShouldAssertException>(() => completion.PromptShouldFillTheWindow(131072, 16))
            .Message.ShouldContain("context-length-exceeded", Case.Sensitive, "the prompt was sized to the catalog's 131 072 tokens, and refused");
    }

    // ---- 6. fine-tuning's strict fields ----

    [Test]
    public async Task A_refused_fine_tuning_request_carries_its_status_and_error_code()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        var fineTuning = new FineTuningDriver(endpoints, new ScenarioTranscript());
        await fineTuning.CreateJobAsync(Together, TogetherLarge, "refusal holds");
        fineTuning.RequestShouldBeRefusedBecause("the model cannot be fine-tuned");
        await fineTuning.CreateJobAsync(Together, "openai/gpt-oss-20b", "refusal holds");
        fineTuning.JobShouldBe("pending");
    }

    [Test]
    public async Task A_fine_tuning_answer_without_a_status_fails()
    {
        _wireAltersAnswer = (path, answer) => path.Contains("/fine-tunes", StringComparison.Ordinal) && answer is JsonObject job && job.Remove("status");
        await using var endpoints = new ScenarioEndpoints(_target);
        var fineTuning = new FineTuningDriver(endpoints, new ScenarioTranscript());
        await fineTuning.CreateJobAsync(Together, "openai/gpt-oss-20b", "no status");

        Should.Throw<ShouldAssertException>(() => fineTuning.JobShouldBe("pending"))
            .Message.ShouldContain("the fine-tuning service's answer carries no status: {\"id\":\"ft-");
        ShouldAssertException? progress = null;
        try
        {
            await fineTuning.JobShouldProgressThroughAsync(["pending", "queued", "running", "completed"]);
        }
        catch (ShouldAssertException e)
        {
            progress = e;
        }
        progress.ShouldNotBeNull("a job created without a status cannot be followed");
        progress.Message.ShouldMatch("^the fine-tuning service created job ft-[0-9a-f-]+ without a status$");
    }

    [Test]
    public async Task A_fine_tuning_refusal_without_an_error_code_fails()
    {
        _wireAltersAnswer = (path, answer) => path.Contains("/fine-tunes", StringComparison.Ordinal) && answer["error"] is JsonObject error && error.Remove("code");
        await using var endpoints = new ScenarioEndpoints(_target);
        var fineTuning = new FineTuningDriver(endpoints, new ScenarioTranscript());
        await fineTuning.CreateJobAsync(Together, TogetherLarge, "no error code");

        Should.Throw<ShouldAssertException>(() => fineTuning.RequestShouldBeRefusedBecause("the model cannot be fine-tuned"))
            .Message.ShouldContain("the refusal carries no error code, so it does not say why: {\"error\":");
    }

    // ---- 7. the conversation carried from one provider to the other ----

    /// <summary>Keeps only the last message of a conversation sent to Together AI's everyday model.</summary>
    private static bool KeepOnlyTheLastTurn(string path, JsonObject body)
    {
        if (!IsChat(path) || (string?)body["model"] != TogetherLite || body["messages"] is not JsonArray { Count: > 1 } messages) return false;
        while (messages.Count > 1) messages.RemoveAt(0);
        return true;
    }

    private static async Task HandOverAsync(IntegrationDriver integration, string scenario)
    {
        await integration.BeginConversationAsync(Groq, "Name three primary colours.", scenario);
        await integration.ContinueConversationAsync(Together, "Which of them is the warmest?", scenario);
    }

    [Test]
    public async Task The_whole_conversation_leaves_for_and_reaches_the_second_provider()
    {
        await using var endpoints = new ScenarioEndpoints(_target);
        await using var integration = new IntegrationDriver(endpoints, new ScenarioTranscript());
        await HandOverAsync(integration, "handover holds");
        integration.ConversationAnswerShouldBeComplete(Together);
        integration.WholeConversationShouldHaveLeftFor(Together, Groq);
        integration.ProviderShouldHaveReceivedWholeConversation(Together, Groq, "handover holds");
    }

    [Test]
    public async Task A_client_that_drops_the_history_fails_the_conversation_as_sent()
    {
        _clientAltersRequest = KeepOnlyTheLastTurn;
        await using var endpoints = new ScenarioEndpoints(_target);
        await using var integration = new IntegrationDriver(endpoints, new ScenarioTranscript());
        await HandOverAsync(integration, "history dropped");
        integration.ConversationAnswerShouldBeComplete(Together); // answered all the same, without the history

        var failure = Should.Throw<ShouldAssertException>(() => integration.WholeConversationShouldHaveLeftFor(Together, Groq));
        failure.Message.ShouldContain("the turns that left for Together AI: user");
        Should.Throw<ShouldAssertException>(() => integration.ProviderShouldHaveReceivedWholeConversation(Together, Groq, "history dropped"))
            .Message.ShouldContain("Together AI should have received every message before its own answer");
    }

    [Test]
    public async Task History_dropped_after_it_left_fails_what_the_second_provider_received_only()
    {
        _wireAltersRequest = KeepOnlyTheLastTurn;
        await using var endpoints = new ScenarioEndpoints(_target);
        await using var integration = new IntegrationDriver(endpoints, new ScenarioTranscript());
        await HandOverAsync(integration, "history dropped on the wire");

        integration.WholeConversationShouldHaveLeftFor(Together, Groq); // it did leave the client whole
        var failure = Should.Throw<ShouldAssertException>(() => integration.ProviderShouldHaveReceivedWholeConversation(Together, Groq, "history dropped on the wire"));
        failure.Message.ShouldContain("Together AI should have received every message before its own answer");
        failure.Message.ShouldMatch(@"sent\.Count\s+should be\s+3\s+but was\s+1\s", "three messages were sent, one arrived");
    }

    // ---- 8. a registry entry opens as a session at its base URL ----

    private static ProviderRegistry RegistryWithGroqAt(Uri baseUrl) => new(
        ProviderRegistry.Default.Providers.Select(p => p.Id == "groq" ? p with { BaseUrl = baseUrl } : p),
        ProviderRegistry.Default.CommonOptions);

    [Test]
    public void Every_bundled_registry_entry_opens_a_session_at_its_base_URL()
    {
        var registry = new ProviderRegistryDriver(_target, new ScenarioTranscript());
        registry.LookUp("groq");
        registry.SessionShouldOpenAtItsBaseUrl();
        registry.ListEveryProvider();
        registry.EveryProviderShouldOpenASession();
    }

    [Test]
    public async Task A_registry_entry_at_a_plain_http_base_URL_fails_to_open_as_registered()
    {
        await using var target = await SpecTarget.StartAsync(TargetKind.Live,
            alterations: new TargetAlterations { Registry = RegistryWithGroqAt(new Uri("http://api.groq.com/openai/v1")) });
        var registry = new ProviderRegistryDriver(target, new ScenarioTranscript());
        registry.LookUp("groq");

        Should.Throw<ShouldAssertException>(registry.SessionShouldOpenAtItsBaseUrl)
            .Message.ShouldContain("groq: the registered base URL http://api.groq.com/openai/v1 is not https");
        registry.ListEveryProvider();
        var failure = Should.Throw<ShouldAssertException>(registry.EveryProviderShouldOpenASession);
        failure.Message.ShouldContain($"1 of {ProviderRegistry.Default.Providers.Count} registered providers cannot be used as registered");
        failure.Message.ShouldContain("groq: the registered base URL http://api.groq.com/openai/v1 is not https");
    }

    [Test]
    public async Task A_registry_entry_whose_base_URL_is_not_absolute_opens_no_session()
    {
        await using var target = await SpecTarget.StartAsync(TargetKind.Live,
            alterations: new TargetAlterations { Registry = RegistryWithGroqAt(new Uri("api.groq.com/openai/v1", UriKind.Relative)) });
        var registry = new ProviderRegistryDriver(target, new ScenarioTranscript());
        registry.LookUp("groq");

        Should.Throw<ShouldAssertException>(registry.SessionShouldOpenAtItsBaseUrl)
            .Message.ShouldContain("groq: no session opens from its registry entry");
    }

    /// <summary>
    /// A handler that changes JSON requests and answers as a faulty client, proxy or provider would; the rules are read at
    /// each request, so one target serves every test.
    /// </summary>
    private sealed class Altering(HttpMessageHandler inner, Func<(Func<string, JsonObject, bool>? Request, Func<string, JsonNode, bool>? Answer)> rules)
        : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (alterRequest, alterAnswer) = rules();
            var path = request.RequestUri?.AbsolutePath ?? "";
            if (alterRequest is not null && request.Content is not null
                && Parse(await request.Content.ReadAsStringAsync(cancellationToken)) is JsonObject body && alterRequest(path, body))
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            var response = await base.SendAsync(request, cancellationToken);
            if (alterAnswer is not null && response.Content.Headers.ContentType?.MediaType == "application/json"
                && Parse(await response.Content.ReadAsStringAsync(cancellationToken)) is { } answer && alterAnswer(path, answer))
                response.Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json");
            return response;
        }

        private static JsonNode? Parse(string text)
        {
            try { return JsonNode.Parse(text); }
            catch (JsonException) { return null; }
        }

        /// <summary>The provider's <c>/models</c> answers 503, as when its catalog is unavailable.</summary>
        public sealed class Unavailable
        {
            private int _refused;
            public int Refused => Volatile.Read(ref _refused);

            public HttpMessageHandler Wrap(HttpMessageHandler inner) => new Refusing(inner, this);

            private sealed class Refusing(HttpMessageHandler inner, Unavailable owner) : DelegatingHandler(inner)
            {
                protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                {
                    if (request.RequestUri?.AbsolutePath.EndsWith("/models", StringComparison.Ordinal) != true) return base.SendAsync(request, cancellationToken);
                    Interlocked.Increment(ref owner._refused);
                    return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable)
                    {
                        Content = new StringContent("{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}", Encoding.UTF8, "application/json"),
                        RequestMessage = request,
                    });
                }
            }
        }
    }
}
