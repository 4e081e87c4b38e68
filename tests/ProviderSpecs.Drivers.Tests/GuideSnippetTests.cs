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
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Telemetry;
using ProviderSpecs.Simulators;

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
}
