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
    public async Task Chat_with_a_reasoning_model_reports_its_thinking_apart_and_in_the_token_count()
    {
        var json = await CliHarness.RunAsync(["chat", "groq", "openai/gpt-oss-20b", "Which is larger, 9.9 or 9.11?", "--simulated", "--reasoning-effort", "low", "--json"]);
        json.ExitCode.ShouldBe(0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        var reasoning = root.GetProperty("reasoning").GetString()!;
        reasoning.ShouldNotBeNullOrWhiteSpace();
        root.GetProperty("text").GetString()!.ShouldNotContain(reasoning);
        var usage = root.GetProperty("usage");
        usage.GetProperty("reasoningTokens").GetInt64().ShouldBeInRange(8, 32, "low effort thinks 8 to 32 tokens in the simulator");
        usage.GetProperty("reasoningTokens").GetInt64().ShouldBeLessThan(usage.GetProperty("outputTokens").GetInt64());

        var shown = await CliHarness.RunAsync(["chat", "groq", "openai/gpt-oss-20b", "Which is larger, 9.9 or 9.11?", "--simulated", "--reasoning-effort", "low", "--show-reasoning"]);
        shown.ExitCode.ShouldBe(0, shown.ToString());
        shown.Output.ShouldStartWith("thinking: " + reasoning);
        shown.Output.ShouldContain(" thinking) ·");
    }

    [Test]
    public async Task Chat_says_when_the_token_limit_was_spent_on_thinking()
    {
        var run = await CliHarness.RunAsync(["chat", "together", "openai/gpt-oss-20b", "Which is larger?", "--simulated", "--max-tokens", "4", "--stream"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("finish length");
        run.Output.ShouldContain("spent on thinking before the answer began: raise --max-tokens");
    }

    [Test]
    public async Task Chat_with_an_effort_the_provider_does_not_take_fails_before_sending()
    {
        var run = await CliHarness.RunAsync(["chat", "together", "openai/gpt-oss-20b", "Hi", "--simulated", "--reasoning-effort", "extreme"]);

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("[unsupported-parameter]");
        run.Error.ShouldContain("allowed values are low, medium, high");
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
