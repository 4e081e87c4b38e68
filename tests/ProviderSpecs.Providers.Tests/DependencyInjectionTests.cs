using System.Net;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.DependencyInjection;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Logging;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Tests;

/// <summary>services.AddProviderSpecs(configuration): binding, start-up validation, keyed chat clients, middleware, logs.</summary>
public sealed class DependencyInjectionTests
{
    private const string Model = "llama-3.1-8b-instant";
    private const string TogetherModel = "meta-llama/Llama-3.3-70B-Instruct-Turbo";
    private static readonly string ChatKey = ProviderSpecsKeys.ChatClient("groq", Model);

    // Shaped like a real Groq key (long random body), so a leak would also be caught by shape, not only by value.
    private static string RealisticKey() => "gsk_" + Guid.NewGuid().ToString("N") + "Qx7Lm2Pz";

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    /// <summary>A container as a host would build it, with every session talking to <paramref name="handler"/> (loopback stub).</summary>
    private static ServiceProvider Build(string json, StubHandler? handler = null, LogCollector? logs = null,
        Action<ProviderSpecsBuilder>? more = null, Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null) logging.AddProvider(logs);
        });
        before?.Invoke(services);
        services.TryAddCredentialEnvironment(Stub.EmptyEnvironment());
        var providers = services.AddProviderSpecs(Json(json));
        if (handler is not null) providers.ConfigureSessions((_, _, options) => options with { HttpClient = new HttpClient(handler) });
        more?.Invoke(providers);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static void ValidateStart(IServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();

    [Test]
    public async Task A_configured_model_is_a_keyed_chat_client_answering_through_the_configured_session()
    {
        var handler = new StubHandler().Json(Stub.GroqCompletion("Hi from DI"));
        await using var services = Build($$"""
            { "Providers": { "groq": { "BaseUrl": "http://127.0.0.1:9/openai/v1", "ApiKey": "{{Stub.GroqKey}}", "Models": [ "{{Model}}" ] } } }
            """, handler);
        ValidateStart(services);

        var chat = services.GetRequiredKeyedService<IChatClient>(ChatKey);
        var answer = await chat.GetResponseAsync("Hello");

        answer.Text.ShouldBe("Hi from DI");
        var (request, _) = handler.Requests.ShouldHaveSingleItem();
        request.RequestUri!.ToString().ShouldBe("http://127.0.0.1:9/openai/v1/chat/completions");
        request.Headers.Authorization!.Parameter.ShouldBe(Stub.GroqKey);
        chat.GetService<ProviderChatClient>().ShouldNotBeNull().Model.ShouldBe(Model);
        services.GetRequiredKeyedService<ProviderSession>("groq").Provider.Id.ShouldBe("groq");
    }

    [Test]
    public async Task Timeouts_retries_concurrency_telemetry_pacing_and_catalog_settings_bind_from_configuration()
    {
        await using var services = Build("""
            { "Providers": { "fast": { "Provider": "groq", "BaseUrl": "http://127.0.0.1:9/openai/v1",
                "Resilience": { "MaxRetries": 4, "FirstTokenTimeout": "00:00:12", "TotalTimeout": "00:01:30", "ConnectTimeout": "00:00:03",
                                "BaseDelay": "00:00:00.250", "MaxBackoff": "00:00:05", "MaxRetryAfter": "00:00:45", "UseJitter": false,
                                "RetryTimeouts": false, "MaxConcurrency": 6, "MaxQueuedCalls": 50 },
                "Telemetry": { "Enabled": true, "EnableSensitiveData": true }, "PaceRateLimits": true,
                "CatalogTimeToLive": "00:02:00", "CatalogFallbackTimeToLive": "00:00:10", "CatalogTimeout": "00:00:07" } } }
            """);
        ValidateStart(services);

        var configured = services.GetRequiredService<IOptionsMonitor<ProviderConfiguration>>().Get("fast");
        configured.Resilience.ShouldBe(new ResilienceOptions
        {
            MaxRetries = 4, FirstTokenTimeout = TimeSpan.FromSeconds(12), TotalTimeout = TimeSpan.FromSeconds(90), ConnectTimeout = TimeSpan.FromSeconds(3),
            BaseDelay = TimeSpan.FromMilliseconds(250), MaxBackoff = TimeSpan.FromSeconds(5), MaxRetryAfter = TimeSpan.FromSeconds(45), UseJitter = false,
            RetryTimeouts = false, MaxConcurrency = 6, MaxQueuedCalls = 50,
        });
        configured.Telemetry.ShouldBe(new Telemetry.TelemetryOptions { Enabled = true, EnableSensitiveData = true });
        (configured.PaceRateLimits, configured.CatalogTimeToLive, configured.CatalogFallbackTimeToLive, configured.CatalogTimeout)
            .ShouldBe((true, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(7)));

        var session = services.GetRequiredKeyedService<ProviderSession>("fast");
        session.Provider.Id.ShouldBe("groq");
        session.Resilience.Options.ShouldBe(configured.Resilience);
        session.BaseUrlSource.ShouldBe(BaseUrlSource.SessionOption);
    }

    [TestCase("""{ "groq": { "Resilience": { "MaxRetries": -1 } } }""", "Providers:groq:Resilience:MaxRetries must be 0 or more (got -1)")]
    [TestCase("""{ "groq": { "Resilience": { "MaxConcurrency": 0 } } }""", "Providers:groq:Resilience:MaxConcurrency must be at least 1 (got 0)")]
    [TestCase("""{ "groq": { "Resilience": { "FirstTokenTimeout": "-00:00:01" } } }""", "Providers:groq:Resilience:FirstTokenTimeout must be a positive duration such as 00:00:30 (got -00:00:01)")]
    [TestCase("""{ "groq": { "BaseUrl": "api.groq.com/openai/v1" } }""", "Providers:groq:BaseUrl must be an absolute http(s) URL")]
    [TestCase("""{ "groq": { "Models": [ "llama-3.1-8b-instant", " " ] } }""", "Providers:groq:Models:1 must be a model id")]
    [TestCase("""{ "groq": { "Budget": { "MaxRequests": 0 } } }""", "Providers:groq:Budget:MaxRequests must be at least 1 (got 0)")]
    [TestCase("""{ "grok": { } }""", "Providers:grok names no known provider ('grok'); did you mean groq?")]
    [TestCase("""{ "fast": { "Provider": "togther" } }""", "Providers:fast:Provider names no known provider ('togther'); did you mean together")]
    public void A_bad_value_fails_start_up_naming_its_key(string providers, string expected)
    {
        using var services = Build($$"""{ "Providers": {{providers}} }""");
        var error = Should.Throw<OptionsValidationException>(() => ValidateStart(services));
        error.Message.ShouldContain(expected);
    }

    [Test]
    public void A_value_that_is_not_a_number_fails_start_up_naming_its_key()
    {
        using var services = Build("""{ "Providers": { "groq": { "Resilience": { "MaxRetries": "three" } } } }""");
        var error = Should.Throw<InvalidOperationException>(() => ValidateStart(services));
        error.Message.ShouldContain("Providers:groq:Resilience:MaxRetries");
    }

    [Test]
    public void A_misspelt_setting_fails_start_up_instead_of_being_ignored()
    {
        using var services = Build("""{ "Providers": { "groq": { "Resilience": { "MaxRetry": 5 } } } }""");
        var error = Should.Throw<InvalidOperationException>(() => ValidateStart(services));
        error.Message.ShouldContain("MaxRetry");
    }

    [Test]
    public void A_validation_failure_never_quotes_the_configured_key()
    {
        var key = RealisticKey();
        using var services = Build($$"""{ "Providers": { "groq": { "ApiKey": "{{key}}", "Resilience": { "MaxRetries": -2 } } } }""");
        var error = Should.Throw<OptionsValidationException>(() => ValidateStart(services));
        error.Message.ShouldContain("MaxRetries must be 0 or more (got -2)");
        error.ToString().ShouldNotContain(key);
        new ProviderConfiguration { ApiKey = key }.ToString().ShouldNotContain(key);
    }

    [Test]
    public void The_credential_chain_is_a_service_that_explains_where_each_key_came_from()
    {
        var key = RealisticKey();
        var environment = Stub.EmptyEnvironment() with { GetEnvironmentVariable = name => name == "TOGETHER_API_KEY" ? key : null };
        using var services = Build("""{ "Providers": { "groq": { "ApiKey": "gsk_sim_test_0001" }, "together": { } } }""",
            before: s => s.AddSingleton(environment));
        var credentials = services.GetRequiredService<ProviderCredentials>();

        credentials.Resolve("groq").Source.ShouldBe("explicit");
        var together = credentials.Resolve("together");
        together.Key.ShouldBe(key);
        together.Source.ShouldBe("environment");
        together.Explain().ShouldNotContain(key);
        together.Explain().ShouldContain(KeyMask.Mask(key));
    }

    [Test]
    public async Task Chat_clients_compose_with_Microsoft_Extensions_AI_middleware()
    {
        var handler = new StubHandler().Json(Stub.GroqCompletion("cached answer"));
        await using var services = Build($$"""
            { "Providers": { "groq": { "BaseUrl": "http://127.0.0.1:9/openai/v1", "ApiKey": "{{Stub.GroqKey}}", "Models": [ "{{Model}}" ] } } }
            """, handler,
            before: s => s.AddDistributedMemoryCache(),
            more: providers => providers.ChatClient("groq", Model).UseLogging().UseDistributedCache());

        var chat = services.GetRequiredKeyedService<IChatClient>(ChatKey);
        var first = await chat.GetResponseAsync("Same question");
        var second = await chat.GetResponseAsync("Same question");

        (first.Text, second.Text).ShouldBe(("cached answer", "cached answer"));
        handler.Requests.Count.ShouldBe(1, "the cache middleware answered the second call, so it wraps the layer's client");
        chat.GetService<DistributedCachingChatClient>().ShouldNotBeNull();
    }

    [Test]
    public async Task A_chat_client_named_in_code_registers_its_provider_too()
    {
        var handler = new StubHandler().Json(Stub.TogetherCompletion());
        await using var services = Build("""{ "Providers": { } }""", handler,
            before: s => s.AddSingleton(Stub.EmptyEnvironment() with { GetEnvironmentVariable = n => n == "TOGETHER_API_KEY" ? Stub.TogetherKey : n == "TOGETHER_BASE_URL" ? "http://127.0.0.1:9/v1" : null }),
            more: providers => providers.ChatClient("together", TogetherModel));
        ValidateStart(services);

        var answer = await services.GetRequiredKeyedService<IChatClient>(ProviderSpecsKeys.ChatClient("together", TogetherModel)).GetResponseAsync("Hi");

        answer.FinishReason.ShouldBe(ChatFinishReason.Stop);
        handler.Requests.ShouldHaveSingleItem().Request.RequestUri!.ToString().ShouldBe("http://127.0.0.1:9/v1/chat/completions");
    }

    [Test]
    public async Task Sessions_that_pace_share_the_containers_one_pacer_and_the_others_do_not_pace()
    {
        var limits = new[] { ("x-ratelimit-limit-requests", "14400"), ("x-ratelimit-remaining-requests", "14399"), ("x-ratelimit-reset-requests", "6s"),
                             ("x-ratelimit-limit-tokens", "6000"), ("x-ratelimit-remaining-tokens", "5900"), ("x-ratelimit-reset-tokens", "1s") };
        var handler = new StubHandler().Json(Stub.GroqCompletion(), HttpStatusCode.OK, limits).Json(Stub.GroqCompletion(), HttpStatusCode.OK, limits);
        await using var services = Build($$"""
            { "Providers": {
                "groq": { "BaseUrl": "http://127.0.0.1:9/openai/v1", "ApiKey": "{{Stub.GroqKey}}", "PaceRateLimits": true },
                "unpaced": { "Provider": "groq", "BaseUrl": "http://127.0.0.1:9/openai/v1", "ApiKey": "{{Stub.GroqKey}}" } } }
            """, handler,
            more: providers => { providers.ChatClient("groq", Model); providers.ChatClient("unpaced", "llama-3.3-70b-versatile"); });
        var pacer = services.GetRequiredService<RateLimitPacer>();

        await services.GetRequiredKeyedService<IChatClient>(ProviderSpecsKeys.ChatClient("unpaced", "llama-3.3-70b-versatile")).GetResponseAsync("Hi");
        pacer.LimitsOf("groq", "llama-3.3-70b-versatile").ShouldBeEmpty("a session without PaceRateLimits must not feed the pacer");

        await services.GetRequiredKeyedService<IChatClient>(ChatKey).GetResponseAsync("Hi");
        pacer.LimitsOf("groq", Model).Select(l => l.Rate).ShouldBe(["6,000 tokens per minute", "14,400 requests per day"], ignoreOrder: true);
    }

    [Test]
    public async Task Logs_of_a_chat_with_retries_and_a_failure_carry_no_key()
    {
        var key = RealisticKey();
        var logs = new LogCollector();
        var handler = new StubHandler()
            .Json("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", HttpStatusCode.TooManyRequests, ("retry-after", "0"))
            .Json(Stub.GroqCompletion("answered"))
            // A provider quoting the key back in an error (some echo part of it): the log must still not hold it.
            .Json($$$"""{"error":{"message":"Invalid API Key {{{key}}}","type":"invalid_request_error","code":"invalid_api_key"}}""", HttpStatusCode.Unauthorized);
        await using var services = Build($$"""
            { "Providers": { "groq": { "BaseUrl": "http://127.0.0.1:9/openai/v1", "ApiKey": "{{key}}", "Models": [ "{{Model}}" ],
                                       "Resilience": { "MaxRetries": 1, "BaseDelay": "00:00:00" } } } }
            """, handler, logs);
        var chat = services.GetRequiredKeyedService<IChatClient>(ChatKey);

        (await chat.GetResponseAsync("Hello")).Text.ShouldBe("answered");
        var failure = await Should.ThrowAsync<ProviderException>(() => chat.GetResponseAsync("Hello again"));
        failure.ErrorKey.ShouldBe(ErrorKeys.Authentication);

        var entries = logs.Entries.ToList();
        entries.ShouldContain(e => e.EventName == "CredentialResolved" && e.Message.Contains(KeyMask.Mask(key)) && e.Message.Contains("explicit"));
        entries.ShouldContain(e => e.EventName == "Retrying" && e.Message.Contains("rate-limited") && e.Message.Contains("attempt 1 of 2"));
        entries.ShouldContain(e => e.EventName == "CallAnswered" && e.Message.Contains("answered on attempt 2"));
        entries.ShouldContain(e => e.EventName == "CallFailed" && e.Message.Contains("authentication") && e.Message.Contains(KeyMask.Mask(key)));
        entries.Where(e => e.Everything.Contains(key)).ShouldBeEmpty("a log entry (message or structured value) holds the key");
    }

    [Test]
    public async Task A_fallback_logs_the_failed_link_and_who_answered()
    {
        var logs = new LogCollector();
        var handler = new StubHandler()
            .Json("""{"error":{"message":"Service unavailable","type":"internal_server_error"}}""", HttpStatusCode.ServiceUnavailable)
            .Json(Stub.TogetherCompletion());
        await using var services = Build($$"""
            { "Providers": {
                "groq": { "BaseUrl": "http://127.0.0.1:9/openai/v1", "ApiKey": "{{Stub.GroqKey}}", "Models": [ "{{Model}}" ], "Resilience": { "MaxRetries": 0 } },
                "together": { "BaseUrl": "http://127.0.0.1:9/v1", "ApiKey": "{{Stub.TogetherKey}}", "Models": [ "{{TogetherModel}}" ] } } }
            """, handler, logs);
        var links = new[] { ChatKey, ProviderSpecsKeys.ChatClient("together", TogetherModel) }
            .Select(k => services.GetRequiredKeyedService<IChatClient>(k).GetService<ProviderChatClient>()!).ToList();

        var answer = await new ProviderFallbackChain(links).CompleteAsync([new ChatMessage(ChatRole.User, "Hi")]);

        answer.AnsweringProvider.ShouldBe("together_ai");
        var fallback = logs.From(ProviderLog.FallbackCategory);
        fallback.ShouldContain(e => e.EventName == "FallbackMovingOn" && e.Message.Contains($"groq/{Model} failed with overloaded; trying together_ai/{TogetherModel}"));
        fallback.ShouldContain(e => e.EventName == "FallbackAnswered" && e.Level == LogLevel.Information);
    }

    [Test]
    public async Task A_budget_refusal_is_logged_and_nothing_is_sent()
    {
        var logs = new LogCollector();
        // No stub: the session's own HttpClient carries the budget, and the refused request never leaves the machine.
        await using var services = Build($$"""
            { "Providers": { "groq": { "BaseUrl": "http://127.0.0.1:9/openai/v1", "ApiKey": "{{Stub.GroqKey}}", "Models": [ "{{Model}}" ],
                                       "Budget": { "MaxRequests": 5, "MaxTokens": 100 } } } }
            """, logs: logs);
        var chat = services.GetRequiredKeyedService<IChatClient>(ChatKey);

        var refused = await Should.ThrowAsync<ProviderException>(() => chat.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 500 }));

        refused.ErrorKey.ShouldBe(ErrorKeys.BudgetExhausted);
        services.GetRequiredKeyedService<LiveBudget>("groq").Refused.ShouldBe(1);
        logs.From(ProviderLog.BudgetCategory).ShouldHaveSingleItem().Message.ShouldContain("refused a request to http://127.0.0.1:9/openai/v1/chat/completions");
    }

    [Test]
    public void Calling_AddProviderSpecs_twice_is_refused_with_a_reason()
    {
        var services = new ServiceCollection();
        services.AddProviderSpecs(Json("""{ "Providers": { "groq": { } } }"""));
        Should.Throw<InvalidOperationException>(() => services.AddProviderSpecs(Json("{}"))).Message.ShouldContain("already called");
    }
}

internal static class TestServiceCollectionExtensions
{
    /// <summary>The credential environment the container uses, unless the test registered its own first.</summary>
    public static void TryAddCredentialEnvironment(this IServiceCollection services, CredentialEnvironment environment)
    {
        if (!services.Any(d => d.ServiceType == typeof(CredentialEnvironment))) services.AddSingleton(environment);
    }
}
