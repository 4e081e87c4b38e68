using System.ClientModel;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using OpenTelemetry;
using OpenTelemetry.Trace;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProviderSpecs.Drivers.Completions;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Telemetry;
using ProviderSpecs.Simulators;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>
/// The code examples of the living doc's guide chapters: each region between begin-snippet and end-snippet is
/// pulled into the guide, so the guide only ever shows code that compiles and passes here (against the
/// simulated providers).
/// </summary>
[TestFixture]
public sealed class GuideSnippetTests
{
    private SimulatedProviders _simulators = null!;

    [OneTimeSetUp]
    public async Task StartSimulators() => _simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { TimeScale = 0.01 });

    [OneTimeTearDown]
    public async Task StopSimulators() => await _simulators.DisposeAsync();

    private ProviderSessionOptions Simulated(string provider) => new()
    {
        BaseUrl = _simulators[provider].BaseUrl,
        ApiKey = _simulators[provider].DefaultApiKey,
    };

    [Test]
    public async Task Getting_started_chat()
    {
        var options = Simulated("groq");
        var output = new StringWriter();
        // begin-snippet: getting-started-chat
        // The key comes from GROQ_API_KEY (or .env, or ~/.config/providerspecs/credentials.json) when not given here.
        await using var session = ProviderSession.Open("groq", options);
        var chat = session.CreateChatClient("llama-3.1-8b-instant");

        ChatResult answer = await chat.CompleteAsync("Name three prime numbers.");
        output.WriteLine($"{answer.Text} — finish: {answer.FinishReason}, {answer.Usage?.OutputTokens} tokens");

        var stream = chat.Stream("Name three prime numbers.");
        await foreach (var update in stream)
            output.Write(update.Text);
        output.WriteLine($" — time to first token: {stream.Result.TimeToFirstToken?.TotalMilliseconds:F0} ms");
        // end-snippet
        answer.Text.ShouldNotBeNullOrWhiteSpace();
        answer.FinishReason.ShouldBe("stop");
        stream.Result.TimeToFirstToken.ShouldNotBeNull();
        output.ToString().ShouldContain("finish: stop");
    }

    [Test]
    public async Task Getting_started_with_dependency_injection()
    {
        // The application's appsettings.json; here aimed at the simulator with its test key (a real one comes from GROQ_API_KEY).
        var folder = Directory.CreateTempSubdirectory("guide-di-");
        var appSettings = Path.Combine(folder.FullName, "appsettings.json");
        await File.WriteAllTextAsync(appSettings, $$"""
            { "Providers": { "groq": { "Models": [ "llama-3.1-8b-instant" ], "Resilience": { "MaxRetries": 3 },
                                       "BaseUrl": "{{_simulators["groq"].BaseUrl}}", "ApiKey": "{{_simulators["groq"].DefaultApiKey}}" } } }
            """);
        try
        {
            // begin-snippet: getting-started-di
            // appsettings.json: { "Providers": { "groq": { "Models": [ "llama-3.1-8b-instant" ], "Resilience": { "MaxRetries": 3 } } } }
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddJsonFile(appSettings);
            builder.Services.AddProviderSpecs(builder.Configuration)       // binds Providers:*; keys come from the credential chain
                .ChatClient("groq", "llama-3.1-8b-instant").UseLogging();   // Microsoft.Extensions.AI middleware composes as usual
            using var host = builder.Build();
            await host.StartAsync();                                       // a bad value fails here, naming its key

            var chat = host.Services.GetRequiredKeyedService<IChatClient>("groq/llama-3.1-8b-instant");
            var answer = await chat.GetResponseAsync("Name three prime numbers.");
            // end-snippet
            answer.Text.ShouldNotBeNullOrWhiteSpace();
            answer.FinishReason.ShouldBe(Microsoft.Extensions.AI.ChatFinishReason.Stop);
            chat.GetService<LoggingChatClient>().ShouldNotBeNull("the middleware from the snippet wraps the layer's client");
            await host.StopAsync();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_bad_provider_setting_stops_the_host_at_start_naming_its_key()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Providers:groq:Resilience:MaxRetries"] = "-1" });
        builder.Services.AddProviderSpecs(builder.Configuration);
        using var host = builder.Build();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());
        error.Message.ShouldBe("Providers:groq:Resilience:MaxRetries must be 0 or more (got -1)");
    }

    [Test]
    public async Task Configure_explicit_key()
    {
        var simulatedUrl = _simulators["together_ai"].BaseUrl;
        var keyFromYourVault = _simulators["together_ai"].DefaultApiKey;
        // begin-snippet: configure-explicit-key
        await using var session = ProviderSession.Open("together", new ProviderSessionOptions
        {
            ApiKey = keyFromYourVault,   // source (1): wins over TOGETHER_API_KEY, .env and the credentials file
            BaseUrl = simulatedUrl,      // else TOGETHER_BASE_URL, else https://api.together.xyz/v1
        });
        Console.WriteLine(session.Credential.Explain()); // which source answered; the key is shown masked
        // end-snippet
        session.Credential.Source.ShouldBe("explicit");
        session.Credential.Explain().ShouldNotContain(keyFromYourVault);
    }

    [Test]
    public async Task Register_a_provider()
    {
        // Stands in for a company gateway in front of Groq that documents max_tokens and refuses stream_options.
        var gatewayUrl = _simulators["groq"].BaseUrl;
        var gatewayKey = _simulators["groq"].DefaultApiKey;
        // begin-snippet: register-a-provider
        var gateway = new ProviderDefinition
        {
            Id = "acme-gateway", DisplayName = "ACME gateway", Adapter = "openai-compatible",
            BaseUrl = new Uri("https://llm.acme.example/openai/v1"),
            KeyEnvVar = "ACME_GATEWAY_KEY", BaseUrlEnvVar = "ACME_GATEWAY_BASE_URL",
            ModelListShape = ModelListShape.OpenAiList, RateLimitDialect = RateLimitDialect.OpenAi,
            // How its requests differ from what the OpenAI SDK writes:
            RequestFieldNames = new Dictionary<string, string> { ["max_completion_tokens"] = "max_tokens" },
            OmittedRequestFields = ["stream_options"],
        };
        var registry = new ProviderRegistry([.. ProviderRegistry.Default.Providers, gateway], ProviderRegistry.Default.CommonOptions);
        await using var session = ProviderSession.Open("acme-gateway", new ProviderSessionOptions
        {
            Registry = registry, ApiKey = gatewayKey, BaseUrl = gatewayUrl,
        });
        var answer = await session.CreateChatClient("llama-3.1-8b-instant")
            .Stream("Hello", new ChatOptions { MaxOutputTokens = 16 }).CollectAsync();
        // end-snippet
        answer.Text.ShouldNotBeNullOrWhiteSpace();
        using var sent = JsonDocument.Parse(_simulators["groq"].DefaultScope.Requests[^1].Body);
        sent.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(16);
        sent.RootElement.TryGetProperty("max_completion_tokens", out _).ShouldBeFalse();
        sent.RootElement.TryGetProperty("stream_options", out _).ShouldBeFalse();
    }

    [Test]
    public async Task Handle_error_key()
    {
        await using var session = ProviderSession.Open("groq", Simulated("groq"));
        var chat = session.CreateChatClient("no-such-model");
        string? outcome = null;
        // begin-snippet: handle-error-key
        try
        {
            await chat.CompleteAsync("Hello");
        }
        catch (ProviderException error) when (error.ErrorKey == ErrorKeys.RateLimited)
        {
            await Task.Delay(error.RateLimit?.SuggestedDelay ?? TimeSpan.FromSeconds(1)); // then try again
        }
        catch (ProviderException error)
        {
            // The same keys for every provider: log the key, the provider's request id and message — never a key.
            outcome = $"{error.ErrorKey} from {error.ProviderId} (request {error.RequestId}): {error.ProviderMessage}";
        }
        // end-snippet
        outcome.ShouldNotBeNull().ShouldStartWith("model-not-found from groq");
    }

    [Test]
    public async Task Telemetry_setup()
    {
        var spans = new List<Activity>();
        var (simulatedUrl, simulatedKey) = (_simulators["groq"].BaseUrl, _simulators["groq"].DefaultApiKey);
        // begin-snippet: telemetry-setup
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(ProviderTelemetry.ActivitySourceName)   // GenAI semantic-convention spans of every call
            .AddInMemoryExporter(spans)                        // in production: .AddOtlpExporter()
            .Build();

        await using var session = ProviderSession.Open("groq", new ProviderSessionOptions
        {
            BaseUrl = simulatedUrl,
            ApiKey = simulatedKey,
            Telemetry = new TelemetryOptions { Enabled = true },  // off unless asked for
        });
        await session.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("Hello");
        // end-snippet
        tracing.ForceFlush();
        spans.ShouldNotBeEmpty("the chat call emitted no span");
    }

    [Test]
    public async Task Migrate_before_and_after()
    {
        var baseUrl = _simulators["groq"].BaseUrl;
        var key = _simulators["groq"].DefaultApiKey;
        // begin-snippet: migrate-before
        var client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = baseUrl })
            .GetChatClient("llama-3.1-8b-instant");
        ChatCompletion before = await client.CompleteChatAsync("Summarise BDD in one line.");
        string textBefore = before.Content[0].Text;
        // errors arrive as ClientResultException with an HTTP status to interpret yourself
        // end-snippet

        // begin-snippet: migrate-after
        await using var session = ProviderSession.Open("groq", new ProviderSessionOptions { ApiKey = key, BaseUrl = baseUrl });
        ChatResult after = await session.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("Summarise BDD in one line.");
        string textAfter = after.Text;
        // errors arrive as ProviderException with a stable ErrorKey; retries, timeouts and fallback are configured once
        // end-snippet

        textAfter.ShouldBe(textBefore, "the simulator answers the same prompt the same way, whichever client asks");
    }

    [Test]
    public async Task Choosing_a_model_from_the_catalog()
    {
        var options = Simulated("together_ai");
        var output = new StringWriter();
        // begin-snippet: catalog-read-and-narrow
        await using var session = ProviderSession.Open("together", options);
        CatalogListing listing = await session.Catalog.GetModelsAsync();   // cached; the provider's own list, gaps filled from the snapshot
        if (listing.FellBackToSnapshot)
            output.WriteLine($"Showing the bundled snapshot: {listing.FallbackReason}");   // e.g. "overloaded: …" — tell the user

        ModelInfo llama = await session.Catalog.GetAsync("meta-llama/Llama-3.3-70B-Instruct-Turbo");
        output.WriteLine($"{llama.Id}: {llama.ContextWindow} tokens of context, {llama.Size}, "
            + $"${llama.InputPricePerMillionTokens} in / ${llama.OutputPricePerMillionTokens} out per 1M tokens "
            + $"(context window from the {llama.Provenance["contextWindow"]} list)");

        IReadOnlyList<ModelInfo> smallStructured = await session.Catalog.ListAsync(new ModelFilter
        {
            Kind = ModelKind.Chat,
            Capabilities = [ModelCapability.JsonSchema],   // structured output
            MinContextWindow = 32_000,
            MaxPricePerMillionTokens = 0.30m,              // input and output both at most $0.30 per 1M tokens
            MaxParametersBillions = 10,                    // the size the id states; no size stated = left out
        });
        // end-snippet
        listing.FellBackToSnapshot.ShouldBeFalse();
        llama.Size!.TotalBillions.ShouldBe(70m);
        output.ToString().ShouldContain("70B");
        smallStructured.Select(m => m.Id).ShouldContain("Qwen/Qwen2.5-7B-Instruct-Turbo");
        smallStructured.ShouldAllBe(m => m.Size!.TotalBillions <= 10m);
    }

    [Test]
    public async Task Completion_parameters_and_the_parts_of_an_answer()
    {
        var (groqOptions, togetherOptions) = (Simulated("groq"), Simulated("together_ai"));
        var output = new StringWriter();
        // begin-snippet: completion-parameters
        await using var groq = ProviderSession.Open("groq", groqOptions);
        var options = new ChatOptions
        {
            MaxOutputTokens = 200,                  // sent as max_completion_tokens; an answer cut by it finishes with "length"
            Temperature = 0.2f, TopP = 0.9f, Seed = 42, StopSequences = ["END"],
            AdditionalProperties = new() { ["service_tier"] = "on_demand" },   // a provider's own option, by its name
        };
        ChatResult answer = await groq.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("Say hello", options);
        output.WriteLine($"{answer.Text} — finish: {answer.FinishReason} (the provider said '{answer.RawFinishReason}'), "
            + $"{answer.Usage?.InputTokens} in + {answer.Usage?.OutputTokens} out = {answer.Usage?.TotalTokens} tokens, "
            + $"completion {answer.ResponseId}, request {answer.RequestId} (quote it to the provider's support)");

        await using var together = ProviderSession.Open("together_ai", togetherOptions);
        var topK = new ChatOptions { AdditionalProperties = new() { ["top_k"] = 40, ["repetition_penalty"] = 1.1 } };
        await together.CreateChatClient("meta-llama/Llama-3.3-70B-Instruct-Turbo").CompleteAsync("Say hello", topK);

        try
        {
            await groq.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("Say hello", topK);   // Groq has no top_k
        }
        catch (ProviderException refused) when (refused.ErrorKey == ErrorKeys.UnsupportedParameter)
        {
            output.WriteLine(refused.Message);   // names the options Groq accepts; nothing was sent, nothing billed
        }
        // end-snippet
        answer.FinishReason.ShouldBeOneOf("stop", "length");
        output.ToString().ShouldContain("top_k");
    }

    [Test]
    public async Task Structured_output_with_a_schema()
    {
        await using var session = ProviderSession.Open("groq", Simulated("groq"));
        var chat = session.CreateChatClient("openai/gpt-oss-20b");
        // begin-snippet: structured-output
        // The schema: AnswerSchemas.IncidentSummary, shown below; any JSON schema the model supports will do.
        var schema = JsonDocument.Parse(AnswerSchemas.IncidentSummary).RootElement;
        var options = new ChatOptions
        {
            MaxOutputTokens = 1000,   // reasoning models spend output tokens thinking before they answer
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "incident_summary", "A short summary of an incident."),
        };
        ChatResult answer = await chat.CompleteAsync("Summarise the incident as JSON: the login page was down for 40 users for an hour.", options);
        var summary = JsonSerializer.Deserialize<IncidentSummary>(answer.Text, JsonSerializerOptions.Web);
        // JSON mode alone (any JSON object): ResponseFormat = ChatResponseFormat.Json, and mention JSON in the prompt.
        // end-snippet
        summary.ShouldNotBeNull();
        summary.Severity.ShouldBeOneOf("low", "medium", "high");
        summary.Tags.Count.ShouldBeInRange(1, 4);
    }

    private sealed record IncidentSummary(string Title, string Severity, int Affected, IReadOnlyList<string> Tags, bool Resolved);

    [Test]
    public async Task A_conversation_moves_to_another_provider()
    {
        await using var groq = ProviderSession.Open("groq", Simulated("groq"));
        await using var together = ProviderSession.Open("together_ai", Simulated("together_ai"));
        var groqChat = groq.CreateChatClient("llama-3.1-8b-instant");
        var togetherChat = together.CreateChatClient("meta-llama/Meta-Llama-3-8B-Instruct-Lite");
        // begin-snippet: conversation-handover
        var history = new List<ChatMessage> { new(ChatRole.User, "Name three primary colours.") };
        ChatResult first = await groqChat.CompleteAsync(history);
        history.Add(new ChatMessage(ChatRole.Assistant, first.Text));          // the answer becomes the assistant's turn
        history.Add(new ChatMessage(ChatRole.User, "Which of them is the warmest?"));
        ChatResult second = await togetherChat.CompleteAsync(history);         // the whole history goes to the other provider
        // end-snippet
        second.ProviderId.ShouldBe("together_ai");
        history.Count.ShouldBe(3);
    }

    [Test]
    public async Task Retries_timeouts_fallback_and_concurrency()
    {
        var (groqOptions, togetherOptions) = (Simulated("groq"), Simulated("together_ai"));
        var messages = new List<ChatMessage> { new(ChatRole.User, "Name three primary colours.") };
        // begin-snippet: resilience-options
        var resilience = new ResilienceOptions
        {
            MaxRetries = 2,                                   // retries after the first attempt; 0 = off
            BaseDelay = TimeSpan.FromMilliseconds(500),       // backoff: 0.5 s, 1 s, 2 s … (jittered)
            MaxRetryAfter = TimeSpan.FromSeconds(30),         // a provider asking for a longer wait fails at once instead
            FirstTokenTimeout = TimeSpan.FromSeconds(60),     // per attempt: until the first chunk, or the whole answer not streamed
            TotalTimeout = TimeSpan.FromMinutes(3),           // the whole call, retries and the full stream included
            MaxConcurrency = 32,                              // calls in flight at once per session; the rest queue
            MaxQueuedCalls = 1024,
        };
        await using var groq = ProviderSession.Open("groq", groqOptions with { Resilience = resilience });
        // end-snippet
        // begin-snippet: fallback-chain
        await using var together = ProviderSession.Open("together_ai", togetherOptions with { Resilience = resilience with { MaxRetries = 1 } });
        var chain = new ProviderFallbackChain([
            groq.CreateChatClient("llama-3.1-8b-instant"),
            together.CreateChatClient("meta-llama/Meta-Llama-3-8B-Instruct-Lite")]);
        FallbackResult answer = await chain.CompleteAsync(messages);
        // answer.AnsweringProvider: who answered; answer.Steps: each provider tried, and why it did not answer.
        // When every provider fails: a ProviderFallbackException with the last one's error key and the same Steps.
        // end-snippet
        answer.AnsweringProvider.ShouldBe("groq");
        answer.Steps.ShouldHaveSingleItem().Answered.ShouldBeTrue();
    }

    [Test]
    public async Task Fine_tuning_with_Together_AI()
    {
        var togetherBaseUrl = _simulators["together_ai"].BaseUrl;
        var key = _simulators["together_ai"].DefaultApiKey;
        using var http = new HttpClient();
        string? status;
        // begin-snippet: fine-tuning-job
        // The provider layer is a chat layer: fine-tuning is Together AI's own API, at the same base URL with the same key.
        var fineTunes = togetherBaseUrl.ToString().TrimEnd('/') + "/fine-tunes";   // https://api.together.xyz/v1/fine-tunes
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var created = await http.PostAsJsonAsync(fineTunes, new
        {
            model = "openai/gpt-oss-20b",            // a model the catalog marks fine-tunable
            training_file = "file-your-uploaded-data",
            n_epochs = 2,
            suffix = "support-bot",
        });
        // Refused with 400 and error.code "model_not_supported" when the model cannot be fine-tuned.
        var job = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (string)job["id"]!;
        do
        {
            job = (await http.GetFromJsonAsync<JsonObject>($"{fineTunes}/{id}"))!;
            status = (string?)job["status"];         // pending → queued → running → completed (or error, cancelled)
        } while (status is "pending" or "queued" or "running");
        // A completed job names its model: job["output_name"], trained from job["model"] for job["epochs_completed"] epochs.
        // To stop a job before it ends: POST {fineTunes}/{id}/cancel
        // end-snippet
        status.ShouldBe("completed");
        ((string)job["output_name"]!).ShouldContain("gpt-oss-20b");
    }
}
