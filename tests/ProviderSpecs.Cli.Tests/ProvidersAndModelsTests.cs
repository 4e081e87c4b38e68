using System.Text.Json;

namespace ProviderSpecs.Cli.Tests;

public class ProvidersAndModelsTests
{
    private static readonly Dictionary<string, string> GroqKey = new() { ["GROQ_API_KEY"] = CliHarness.FakeGroqKey };

    [Test]
    public async Task Providers_lists_the_registry_with_masked_key_and_its_source()
    {
        var run = await CliHarness.RunAsync(["providers"], GroqKey);

        run.ExitCode.ShouldBe(0, run.ToString());
        foreach (var id in new[] { "groq", "together_ai", "openai", "fireworks", "deepinfra", "cerebras", "mistral", "openrouter", "deepseek", "xai", "perplexity", "nvidia" })
            run.Output.ShouldContain(id);
        run.Output.ShouldContain("GROQ_API_KEY");
        run.Output.ShouldContain("gsk_…a1b2");
        run.Output.ShouldContain("(environment)");
        run.All.ShouldNotContain(CliHarness.FakeGroqKey);
    }

    [Test]
    public async Task Providers_json_says_which_keys_resolve_and_never_shows_one()
    {
        var run = await CliHarness.RunAsync(["providers", "--json", "--explain"], GroqKey);

        run.ExitCode.ShouldBe(0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("count").GetInt32().ShouldBe(12);
        var providers = json.RootElement.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        providers["groq"].GetProperty("keyFound").GetBoolean().ShouldBeTrue();
        providers["groq"].GetProperty("keySource").GetString().ShouldBe("environment");
        providers["groq"].GetProperty("maskedKey").GetString().ShouldBe("gsk_…a1b2");
        providers["groq"].GetProperty("keyVariable").GetString().ShouldBe("GROQ_API_KEY");
        providers["together_ai"].GetProperty("keyFound").GetBoolean().ShouldBeFalse();
        providers["groq"].GetProperty("chain").GetArrayLength().ShouldBe(4);
        providers["groq"].GetProperty("requestFields").GetArrayLength().ShouldBe(0);
        providers["mistral"].GetProperty("requestFields").EnumerateArray().Select(f => f.GetString()).ShouldBe(
            ["max_completion_tokens is sent as max_tokens", "seed is sent as random_seed", "stream_options is left out"]);
        run.All.ShouldNotContain(CliHarness.FakeGroqKey);
    }

    [Test]
    public async Task Providers_explain_says_how_a_providers_requests_differ_from_openais()
    {
        var run = await CliHarness.RunAsync(["providers", "--explain"], GroqKey);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("requests in its own terms: max_completion_tokens is sent as max_tokens; seed is sent as random_seed; stream_options is left out");
        run.Output.ShouldContain("requests in its own terms: max_completion_tokens is sent as max_tokens\n");
    }

    [Test]
    public async Task Models_simulated_applies_the_catalog_filters_and_says_the_list_is_live()
    {
        var all = await CliHarness.RunAsync(["models", "groq", "--simulated", "--json"]);
        var filtered = await CliHarness.RunAsync(["models", "groq", "--simulated", "--json", "--kind", "chat", "--min-context", "100000", "--search", "llama"]);

        all.ExitCode.ShouldBe(0, all.ToString());
        filtered.ExitCode.ShouldBe(0, filtered.ToString());
        using var allJson = JsonDocument.Parse(all.Output);
        using var json = JsonDocument.Parse(filtered.Output);
        json.RootElement.GetProperty("source").GetString().ShouldBe("live");
        json.RootElement.GetProperty("baseUrl").GetString()!.ShouldStartWith("http://127.0.0.1:");
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToList();
        models.ShouldNotBeEmpty();
        models.Count.ShouldBeLessThan(allJson.RootElement.GetProperty("count").GetInt32());
        foreach (var m in models)
        {
            m.GetProperty("kind").GetString().ShouldBe("chat");
            m.GetProperty("contextWindow").GetInt32().ShouldBeGreaterThanOrEqualTo(100_000);
            m.GetProperty("id").GetString()!.ShouldContain("llama", Case.Insensitive);
        }
        allJson.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ShouldContain("whisper-large-v3");
    }

    [Test]
    public async Task Models_capability_and_price_filters_hold_for_every_model_listed()
    {
        var run = await CliHarness.RunAsync(["models", "together", "--simulated", "--json", "--capability", "json-mode", "--max-price", "1"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("provider").GetString().ShouldBe("together_ai");
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToList();
        models.ShouldNotBeEmpty();
        foreach (var m in models)
        {
            m.GetProperty("capabilities").GetProperty("jsonMode").GetBoolean().ShouldBeTrue();
            m.GetProperty("inputPricePerMillionTokens").GetDecimal().ShouldBeLessThanOrEqualTo(1m);
            m.GetProperty("outputPricePerMillionTokens").GetDecimal().ShouldBeLessThanOrEqualTo(1m);
        }
    }

    [Test]
    public async Task Models_without_a_key_come_from_the_snapshot_and_say_why()
    {
        var run = await CliHarness.RunAsync(["models", "groq"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("snapshot");
        run.Output.ShouldContain("missing-credential");
        run.Output.ShouldContain("llama-3.1-8b-instant");
    }
}
