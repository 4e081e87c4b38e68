using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// Reasoning models think before they answer, as the providers document it: Groq's and Together's GPT-OSS in a
/// <c>reasoning</c> field, Groq's Qwen 3 between think tags in the content (or apart, or hidden, by
/// <c>reasoning_format</c>), Together's DeepSeek-R1 between think tags. The thinking counts in the completion tokens and
/// in the token limit, and it takes its time before the answer.
/// </summary>
public sealed class ReasoningTests
{
    private static async Task<JsonObject> CompleteAsync(SimulatedProvider provider, string model, string extra = "", string prompt = "Which is larger, 9.9 or 9.11?")
    {
        var scope = provider.OpenScope($"reasoning {model} {extra}");
        var (response, body) = await SendAsync(Post(provider, scope.ApiKey, "/chat/completions", ChatBody(model, prompt, extra: extra)));
        ((int)response.StatusCode).ShouldBe(200, body);
        return (JsonObject)JsonNode.Parse(body)!;
    }

    private static async Task<(int Status, JsonObject Error)> RefusedAsync(SimulatedProvider provider, string model, string extra)
    {
        var scope = provider.OpenScope($"reasoning refused {model} {extra}");
        var (response, body) = await SendAsync(Post(provider, scope.ApiKey, "/chat/completions", ChatBody(model, extra: extra)));
        return ((int)response.StatusCode, (JsonObject)JsonNode.Parse(body)!["error"]!);
    }

    private static async Task<List<JsonObject>> StreamAsync(SimulatedProvider provider, string model, string extra = "")
    {
        var scope = provider.OpenScope($"reasoning stream {model} {extra}");
        var (response, body) = await SendAsync(Post(provider, scope.ApiKey, "/chat/completions", ChatBody(model, stream: true, extra: extra)));
        ((int)response.StatusCode).ShouldBe(200, body);
        return DataLines(body).Where(d => d != "[DONE]").Select(d => (JsonObject)JsonNode.Parse(d)!).ToList();
    }

    private static string? Delta(JsonObject chunk, string field) =>
        chunk["choices"] is JsonArray { Count: > 0 } choices && choices[0]!["delta"]?[field] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    private static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [TestCase("groq")]
    [TestCase("together_ai")]
    public async Task GPT_OSS_thinks_in_a_reasoning_field_counted_in_the_completion_tokens(string provider)
    {
        var completion = await CompleteAsync(Providers[provider], "openai/gpt-oss-20b");
        var message = completion["choices"]![0]!["message"]!;
        var reasoning = message["reasoning"]!.GetValue<string>();
        var content = message["content"]!.GetValue<string>();

        reasoning.ShouldNotBeNullOrWhiteSpace();
        content.ShouldNotBeNullOrWhiteSpace();
        content.ShouldNotContain("<think>");
        // One token per word: the completion tokens are the thinking's and the answer's together.
        completion["usage"]!["completion_tokens"]!.GetValue<int>().ShouldBe(WordCount(reasoning) + WordCount(content));
        if (provider == "groq") completion["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!.GetValue<int>().ShouldBe(WordCount(reasoning));
        else completion["usage"]!.AsObject().ContainsKey("completion_tokens_details").ShouldBeFalse("Together's usage has only the three counts");
    }

    [Test]
    public async Task A_model_that_does_not_reason_sends_no_reasoning_and_keeps_its_answer()
    {
        var completion = await CompleteAsync(Groq, "llama-3.1-8b-instant");
        completion["choices"]![0]!["message"]!.AsObject().ContainsKey("reasoning").ShouldBeFalse();
        completion["usage"]!.AsObject().ContainsKey("completion_tokens_details").ShouldBeFalse();
    }

    [Test]
    public async Task Thinking_does_not_change_the_answer_a_model_would_give()
    {
        // The answer comes from its own random source: thinking shown or hidden, the same answer follows it.
        var shown = await CompleteAsync(Groq, "openai/gpt-oss-20b");
        var hidden = await CompleteAsync(Groq, "openai/gpt-oss-20b", ",\"include_reasoning\":false");
        hidden["choices"]![0]!["message"]!["content"]!.GetValue<string>().ShouldBe(shown["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        hidden["choices"]![0]!["message"]!.AsObject().ContainsKey("reasoning").ShouldBeFalse();
        // Hidden thinking is still generated and paid for.
        hidden["usage"]!["completion_tokens"]!.GetValue<int>().ShouldBe(shown["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [TestCase("low", "high")]
    [TestCase("low", "medium")]
    public async Task More_reasoning_effort_thinks_longer(string less, string more)
    {
        var prompts = Enumerable.Range(1, 5).Select(i => $"Question {i}: which is larger?").ToList();
        var lessTokens = 0;
        var moreTokens = 0;
        foreach (var prompt in prompts)
        {
            lessTokens += (await CompleteAsync(Together, "openai/gpt-oss-120b", $",\"reasoning_effort\":\"{less}\"", prompt))["usage"]!["completion_tokens"]!.GetValue<int>();
            moreTokens += (await CompleteAsync(Together, "openai/gpt-oss-120b", $",\"reasoning_effort\":\"{more}\"", prompt))["usage"]!["completion_tokens"]!.GetValue<int>();
        }
        moreTokens.ShouldBeGreaterThan(lessTokens);
    }

    [Test]
    public async Task Qwen_3_on_Groq_thinks_between_think_tags_by_default_and_as_asked_otherwise()
    {
        var raw = (await CompleteAsync(Groq, "qwen/qwen3-32b"))["choices"]![0]!["message"]!;
        var text = raw["content"]!.GetValue<string>();
        text.ShouldStartWith("<think>\n");
        text.ShouldContain("\n</think>\n\n");
        text[(text.IndexOf("</think>", StringComparison.Ordinal) + "</think>".Length)..].Trim().ShouldNotBeEmpty("the answer follows the thinking");
        raw.AsObject().ContainsKey("reasoning").ShouldBeFalse();

        var parsed = (await CompleteAsync(Groq, "qwen/qwen3-32b", ",\"reasoning_format\":\"parsed\""))["choices"]![0]!["message"]!;
        parsed["content"]!.GetValue<string>().ShouldNotContain("<think>");
        parsed["reasoning"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        text.ShouldContain(parsed["reasoning"]!.GetValue<string>(), customMessage: "the same thinking, apart");

        var hidden = (await CompleteAsync(Groq, "qwen/qwen3-32b", ",\"reasoning_format\":\"hidden\""))["choices"]![0]!["message"]!;
        hidden["content"]!.GetValue<string>().ShouldNotContain("<think>");
        hidden.AsObject().ContainsKey("reasoning").ShouldBeFalse();

        var off = await CompleteAsync(Groq, "qwen/qwen3-32b", ",\"reasoning_effort\":\"none\"");
        off["choices"]![0]!["message"]!["content"]!.GetValue<string>().ShouldNotContain("<think>");
        off["usage"]!.AsObject().ContainsKey("completion_tokens_details").ShouldBeFalse("no thinking at all with reasoning_effort none");

        // JSON mode cannot have think tags in the content: the thinking goes apart.
        var json = (await CompleteAsync(Groq, "qwen/qwen3-32b", ",\"response_format\":{\"type\":\"json_object\"}", "Answer in JSON"))["choices"]![0]!["message"]!;
        JsonNode.Parse(json["content"]!.GetValue<string>()).ShouldBeOfType<JsonObject>();
        json["reasoning"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Test]
    public async Task DeepSeek_R1_on_Together_thinks_between_think_tags()
    {
        var text = (await CompleteAsync(Together, "deepseek-ai/DeepSeek-R1"))["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        text.ShouldStartWith("<think>\n");
        text.ShouldContain("\n</think>\n\n");
    }

    [TestCase("llama-3.1-8b-instant", ",\"reasoning_effort\":\"low\"", "reasoning_effort", "is not supported with this model")]
    [TestCase("llama-3.1-8b-instant", ",\"reasoning_format\":\"parsed\"", "reasoning_format", "is not supported with this model")]
    [TestCase("llama-3.1-8b-instant", ",\"include_reasoning\":true", "include_reasoning", "is not supported with this model")]
    [TestCase("openai/gpt-oss-20b", ",\"reasoning_format\":\"parsed\"", "reasoning_format", "is not supported with this model")]
    [TestCase("openai/gpt-oss-20b", ",\"reasoning_effort\":\"none\"", "reasoning_effort", "supported values: low, medium, high")]
    [TestCase("qwen/qwen3-32b", ",\"reasoning_effort\":\"high\"", "reasoning_effort", "supported values: none, default")]
    [TestCase("qwen/qwen3-32b", ",\"reasoning_format\":\"parsed\",\"include_reasoning\":true", "include_reasoning", "cannot be used together")]
    [TestCase("qwen/qwen3-32b", ",\"reasoning_format\":\"raw\",\"response_format\":{\"type\":\"json_object\"}", "reasoning_format", "not supported with JSON mode")]
    [TestCase("qwen/qwen3-32b", ",\"reasoning_format\":\"verbose\"", "reasoning_format", "must be one of")]
    [TestCase("qwen/qwen3-32b", ",\"include_reasoning\":\"yes\"", "include_reasoning", "must be a boolean")]
    public async Task Groq_refuses_reasoning_controls_a_model_does_not_take(string model, string extra, string param, string says)
    {
        var (status, error) = await RefusedAsync(Groq, model, extra);
        status.ShouldBe(400);
        error["param"]!.GetValue<string>().ShouldBe(param);
        error["message"]!.GetValue<string>().ShouldContain(says);
        error["type"]!.GetValue<string>().ShouldBe("invalid_request_error");
    }

    [Test]
    public async Task Together_refuses_an_effort_outside_the_models_and_ignores_controls_a_model_does_not_use()
    {
        var (status, error) = await RefusedAsync(Together, "openai/gpt-oss-20b", ",\"reasoning_effort\":\"extreme\"");
        status.ShouldBe(400);
        error["param"]!.GetValue<string>().ShouldBe("reasoning_effort");

        var plain = await CompleteAsync(Together, "meta-llama/Llama-3.3-70B-Instruct-Turbo", ",\"reasoning_effort\":\"low\"");
        plain["choices"]![0]!["message"]!.AsObject().ContainsKey("reasoning").ShouldBeFalse();
    }

    [Test]
    public async Task Together_switches_a_hybrid_models_thinking_off_but_not_a_reasoning_only_models()
    {
        var on = await CompleteAsync(Together, "Qwen/Qwen3.5-9B");
        on["choices"]![0]!["message"]!["reasoning"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        var off = await CompleteAsync(Together, "Qwen/Qwen3.5-9B", ",\"reasoning\":{\"enabled\":false}");
        off["choices"]![0]!["message"]!.AsObject().ContainsKey("reasoning").ShouldBeFalse();
        off["usage"]!["completion_tokens"]!.GetValue<int>().ShouldBeLessThan(on["usage"]!["completion_tokens"]!.GetValue<int>());

        var always = await CompleteAsync(Together, "MiniMaxAI/MiniMax-M2.7", ",\"reasoning\":{\"enabled\":false}");
        always["choices"]![0]!["message"]!["reasoning"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace("a reasoning-only model thinks whatever the switch says");

        var (status, error) = await RefusedAsync(Together, "Qwen/Qwen3.5-9B", ",\"reasoning\":true");
        status.ShouldBe(400);
        error["param"]!.GetValue<string>().ShouldBe("reasoning");
    }

    [TestCase("groq")]
    [TestCase("together_ai")]
    public async Task A_streamed_answer_sends_its_thinking_first_in_chunks_of_its_own(string provider)
    {
        var chunks = await StreamAsync(Providers[provider], "openai/gpt-oss-20b", ",\"max_tokens\":4000");
        var kinds = chunks.Select(c => Delta(c, "reasoning") is { Length: > 0 } ? "reasoning" : Delta(c, "content") is { Length: > 0 } ? "content" : "other")
            .Where(k => k != "other").ToList();

        kinds.ShouldContain("reasoning");
        kinds.ShouldContain("content");
        kinds.IndexOf("content").ShouldBe(kinds.LastIndexOf("reasoning") + 1, "thinking first, then the answer, never interleaved");
        chunks.Where(c => Delta(c, "reasoning") is { Length: > 0 }).ShouldAllBe(c => string.IsNullOrEmpty(Delta(c, "content")));
        var usage = chunks.Select(c => c["usage"] ?? c["x_groq"]?["usage"]).Last(u => u is not null)!;
        var thought = string.Concat(chunks.Select(c => Delta(c, "reasoning")));
        var said = string.Concat(chunks.Select(c => Delta(c, "content")));
        usage["completion_tokens"]!.GetValue<int>().ShouldBe(WordCount(thought) + WordCount(said));
    }

    [Test]
    public async Task A_limit_smaller_than_the_thinking_leaves_no_answer_and_finishes_with_length()
    {
        var completion = await CompleteAsync(Groq, "openai/gpt-oss-20b", ",\"max_completion_tokens\":4");
        var choice = completion["choices"]![0]!;
        choice["finish_reason"]!.GetValue<string>().ShouldBe("length");
        choice["message"]!["content"]!.GetValue<string>().ShouldBeEmpty();
        WordCount(choice["message"]!["reasoning"]!.GetValue<string>()).ShouldBe(4);
        completion["usage"]!["completion_tokens"]!.GetValue<int>().ShouldBe(4);
    }

    [Test]
    public async Task Hidden_thinking_takes_its_time_before_the_first_chunk()
    {
        // At full time scale a token takes a visible time; the first chunk of an answer whose thinking is hidden leaves
        // after the thinking was generated, not at the model's first token.
        var scope = Groq.OpenScope("hidden thinking timing");
        scope.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), tokensPerSecond: 1000));
        scope.UseLatencyScale(1.0);
        var (response, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions",
            ChatBody("openai/gpt-oss-20b", stream: true, extra: ",\"include_reasoning\":false,\"reasoning_effort\":\"high\"")));
        ((int)response.StatusCode).ShouldBe(200, body);
        DataLines(body).ShouldNotContain(d => d.Contains("\"reasoning\"", StringComparison.Ordinal));

        var served = scope.Requests.Single();
        var usage = JsonNode.Parse(DataLines(body).Last(d => d.Contains("x_groq", StringComparison.Ordinal) && d.Contains("usage", StringComparison.Ordinal)))!["x_groq"]!["usage"]!;
        var thinking = usage["completion_tokens_details"]!["reasoning_tokens"]!.GetValue<int>();
        thinking.ShouldBeGreaterThanOrEqualTo(64, "high effort thinks at least 64 tokens");
        // 20 ms to the first token, then one token a millisecond: the hidden thinking alone takes `thinking` ms.
        served.Timing.PlannedFirstChunkDelay!.Value.TotalMilliseconds.ShouldBe(20 + thinking, 0.5);
        served.Timing.FirstChunkDelay!.Value.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(20 + thinking);
    }

    [Test]
    public async Task The_official_OpenAI_SDK_reads_a_reasoning_models_answer_and_usage()
    {
        var scope = Groq.OpenScope("sdk reasoning");
        var client = new OpenAIClient(new ApiKeyCredential(scope.ApiKey), new OpenAIClientOptions { Endpoint = Groq.BaseUrl, RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient("openai/gpt-oss-120b");
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Which is larger, 9.9 or 9.11?")]);

        completion.Content.Single().Text.ShouldNotBeNullOrWhiteSpace();
        completion.Usage.OutputTokenDetails.ReasoningTokenCount.ShouldBeGreaterThan(0);
        completion.Usage.OutputTokenCount.ShouldBe(scope.Requests.Single().CompletionTokens);
        completion.Usage.OutputTokenCount.ShouldBeGreaterThan(completion.Usage.OutputTokenDetails.ReasoningTokenCount);
    }
}
