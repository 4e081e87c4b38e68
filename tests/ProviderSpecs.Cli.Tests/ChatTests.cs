using System.Text.Json;

namespace ProviderSpecs.Cli.Tests;

public class ChatTests
{
    [Test]
    public async Task Chat_simulated_returns_the_reply_with_usage_as_json()
    {
        var run = await CliHarness.RunAsync(["chat", "groq", "llama-3.1-8b-instant", "Say hello", "--simulated", "--max-tokens", "8", "--json"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        root.GetProperty("provider").GetString().ShouldBe("groq");
        root.GetProperty("streamed").GetBoolean().ShouldBeFalse();
        root.GetProperty("text").GetString().ShouldNotBeNullOrWhiteSpace();
        root.GetProperty("finishReason").GetString().ShouldBe("length");
        root.GetProperty("usage").GetProperty("outputTokens").GetInt64().ShouldBe(8);
        root.GetProperty("requestId").GetString()!.ShouldStartWith("req_");
        run.Error.ShouldBeEmpty();
    }

    [Test]
    public async Task Chat_simulated_stream_prints_the_text_then_a_summary_with_time_to_first_token()
    {
        var run = await CliHarness.RunAsync(["chat", "together", "meta-llama/Meta-Llama-3-8B-Instruct-Lite", "Say hello", "--simulated", "--stream", "--max-tokens", "6"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBeGreaterThanOrEqualTo(2);
        lines[0].Trim().ShouldNotBeEmpty();
        run.Output.ShouldContain("together_ai/meta-llama/Meta-Llama-3-8B-Instruct-Lite");
        run.Output.ShouldContain("first token");
        run.Output.ShouldContain("6 out tokens");
    }

    [Test]
    public async Task Chat_stream_json_reports_chunks_and_first_token_time()
    {
        var run = await CliHarness.RunAsync(["chat", "groq", "llama-3.1-8b-instant", "Hi", "--simulated", "--stream", "--json", "--max-tokens", "12"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("streamed").GetBoolean().ShouldBeTrue();
        json.RootElement.GetProperty("chunks").GetInt32().ShouldBeGreaterThan(1);
        json.RootElement.GetProperty("timeToFirstTokenMs").GetDouble().ShouldBeGreaterThan(0);
        json.RootElement.GetProperty("usage").GetProperty("queueTimeMs").GetDouble().ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task Chat_with_an_unknown_model_fails_with_the_provider_error_key()
    {
        var run = await CliHarness.RunAsync(["chat", "groq", "llama-9-nope", "Hi", "--simulated"]);

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.TrimEnd().Split('\n').Length.ShouldBe(1);
        run.Error.ShouldContain("[model-not-found]");
    }
}
