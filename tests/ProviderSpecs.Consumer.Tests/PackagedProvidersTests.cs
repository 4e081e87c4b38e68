using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Consumer.Tests;

/// <summary>
/// An application's tests using the packed packages: the provider layer registered through dependency injection from
/// appsettings.json, talking to the simulators package started in-process, its logs collected.
/// </summary>
[TestFixture]
public sealed class PackagedProvidersTests
{
    private const string GroqModel = "llama-3.1-8b-instant";
    private const string TogetherModel = "meta-llama/Llama-3.3-70B-Instruct-Turbo";
    private SimulatedProviders _providers = null!;

    [OneTimeSetUp]
    public async Task StartSimulators() => _providers = await SimulatedProviders.StartAsync(new SimulatorOptions { TimeScale = 0.01 });

    [OneTimeTearDown]
    public async Task StopSimulators() => await _providers.DisposeAsync();

    /// <summary>
    /// The application's host: appsettings.json from the output folder (Host.CreateApplicationBuilder reads it), with the
    /// simulators' base URLs and this test's keys layered over it as an environment's own configuration would be.
    /// </summary>
    private IHost BuildHost(LogCollector logs, SimulatorScope groq, SimulatorScope together, IDictionary<string, string?>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:groq:BaseUrl"] = _providers["groq"].BaseUrl.ToString(),
            ["Providers:groq:ApiKey"] = groq.ApiKey,
            ["Providers:together:BaseUrl"] = _providers["together_ai"].BaseUrl.ToString(),
            ["Providers:together:ApiKey"] = together.ApiKey,
        });
        if (more is not null) builder.Configuration.AddInMemoryCollection(more);
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddProviderSpecs(builder.Configuration)
            .ChatClient("groq", GroqModel).UseLogging();
        return builder.Build();
    }

    private (SimulatorScope Groq, SimulatorScope Together) Scopes() =>
        (_providers["groq"].OpenScope(TestContext.CurrentContext.Test.Name), _providers["together_ai"].OpenScope(TestContext.CurrentContext.Test.Name));

    [Test]
    public void The_simulators_package_starts_outside_the_repository_on_its_built_in_fixtures()
    {
        Assert.That(FixturesLocator.TryFind(), Is.Null,
            $"a repository fixtures/ folder is visible above {AppContext.BaseDirectory}: this test must run from a build outside the repository");
        Assert.That(_providers.FixturesSource, Is.EqualTo(SimulatedProviders.EmbeddedFixtures));
        Assert.That(_providers["groq"].ModelIds, Does.Contain(GroqModel));
        Assert.That(_providers["together_ai"].ModelIds, Does.Contain(TogetherModel));
    }

    [Test]
    public async Task A_chat_and_a_stream_through_dependency_injection_answer_and_the_logs_hold_no_key()
    {
        var logs = new LogCollector();
        var (groq, together) = Scopes();
        using var host = BuildHost(logs, groq, together);
        await host.StartAsync();

        var chat = host.Services.GetRequiredKeyedService<IChatClient>($"groq/{GroqModel}");
        var answer = await chat.GetResponseAsync("Name three prime numbers.");
        var streamed = new StringBuilder();
        var updates = 0;
        var stream = host.Services.GetRequiredKeyedService<IChatClient>($"together/{TogetherModel}");
        await foreach (var update in stream.GetStreamingResponseAsync("Name three prime numbers."))
        {
            streamed.Append(update.Text);
            updates++;
        }
        await host.StopAsync();

        Assert.That(answer.Text, Is.Not.Empty);
        Assert.That(answer.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        Assert.That(streamed.ToString(), Is.Not.Empty);
        Assert.That(updates, Is.GreaterThan(1), "a stream arrives in several updates");
        Assert.That(groq.Requests.Select(r => (r.Stream, r.StatusCode)), Is.EqualTo(new[] { (false, 200) }));
        Assert.That(together.Requests.Select(r => (r.Stream, r.StatusCode)), Is.EqualTo(new[] { (true, 200) }));

        var entries = logs.Entries.ToList();
        Assert.That(entries.Any(e => e.EventName == "CredentialResolved" && e.Message.Contains(KeyMask.Mask(groq.ApiKey))), Is.True,
            "the session logs which source answered the credential chain, key masked");
        Assert.That(entries.Count(e => e.EventName == "CallAnswered"), Is.EqualTo(2));
        foreach (var key in new[] { groq.ApiKey, together.ApiKey })
            Assert.That(entries.Where(e => e.Everything.Contains(key)).Select(e => $"{e.Category}: {e.Message}"), Is.Empty, "a log entry holds a key");
    }

    [Test]
    public async Task A_fault_injected_by_the_simulators_package_is_retried_and_logged()
    {
        var logs = new LogCollector();
        var (groq, together) = Scopes();
        groq.InjectFault("rate-limit-sequence", new FaultOptions { Count = 1, RetryAfter = TimeSpan.Zero });
        using var host = BuildHost(logs, groq, together);

        var answer = await host.Services.GetRequiredKeyedService<IChatClient>($"groq/{GroqModel}").GetResponseAsync("Hello");

        Assert.That(answer.Text, Is.Not.Empty);
        Assert.That(groq.Requests.Select(r => r.StatusCode), Is.EqualTo(new[] { 429, 200 }));
        Assert.That(groq.Requests[0].FaultsApplied, Does.Contain("rate-limit-sequence"));
        Assert.That(logs.Entries.Any(e => e.EventName == "Retrying" && e.Message.Contains("rate-limited")), Is.True, "the retry is logged with its reason");
    }

    [Test]
    public async Task A_latency_profile_set_through_the_simulators_package_shapes_the_stream()
    {
        var logs = new LogCollector();
        var (groq, together) = Scopes();
        groq.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, TimeSpan.FromMilliseconds(300), 1000));
        groq.UseLatencyScale(1.0);
        using var host = BuildHost(logs, groq, together);
        var layer = host.Services.GetRequiredKeyedService<IChatClient>($"groq/{GroqModel}").GetService<ProviderChatClient>()!;

        var result = await layer.Stream("Hello").CollectAsync();

        Assert.That(groq.Requests.Single().Timing.PlannedFirstChunkDelay, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
        Assert.That(result.TimeToFirstToken, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(295)), "the first chunk cannot arrive before the profile sends it");
    }

    [Test]
    public async Task A_bad_setting_stops_the_host_at_start_naming_its_key()
    {
        var (groq, together) = Scopes();
        using var host = BuildHost(new LogCollector(), groq, together, new Dictionary<string, string?> { ["Providers:groq:Resilience:MaxRetries"] = "-1" });

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.Contain("Providers:groq:Resilience:MaxRetries must be 0 or more (got -1)"));
    }
}
