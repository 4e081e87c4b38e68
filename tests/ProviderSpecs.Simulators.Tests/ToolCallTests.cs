using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// Function calling in the OpenAI shape both providers use: the request offers tools and a tool choice; the answer calls
/// functions with arguments that follow their parameters, finishing with <c>tool_calls</c>; after the tool's result the
/// model answers in text.
/// </summary>
public sealed class ToolCallTests
{
    private const string WeatherTool =
        "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"The weather now in a city.\",\"parameters\":" +
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\",\"unit\"]}}}";
    private const string TimeTool =
        "{\"type\":\"function\",\"function\":{\"name\":\"get_local_time\",\"description\":\"The local time in a city.\",\"parameters\":" +
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}";

    private static async Task<(int Status, JsonObject Body)> AskAsync(SimulatedProvider provider, string model, string prompt, string extra, bool stream = false)
    {
        var scope = provider.OpenScope($"tools {model} {prompt} {extra} {stream}");
        var (response, body) = await SendAsync(Post(provider, scope.ApiKey, "/chat/completions", ChatBody(model, prompt, stream, extra)));
        if (stream)
        {
            ((int)response.StatusCode).ShouldBe(200, body);
            var chunks = new JsonArray(DataLines(body).Where(d => d != "[DONE]").Select(d => JsonNode.Parse(d)).ToArray());
            return (200, new JsonObject { ["chunks"] = chunks });
        }
        return ((int)response.StatusCode, (JsonObject)JsonNode.Parse(body)!);
    }

    private static JsonNode Choice(JsonObject completion) => completion["choices"]![0]!;

    [TestCase("groq", "llama-3.3-70b-versatile")]
    [TestCase("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo")]
    public async Task A_required_call_names_an_offered_function_with_arguments_that_follow_its_parameters(string provider, string model)
    {
        var (status, completion) = await AskAsync(Providers[provider], model, "What is the weather in Paris right now?",
            $",\"tools\":[{WeatherTool}],\"tool_choice\":\"required\"");
        status.ShouldBe(200, completion.ToJsonString());
        var choice = Choice(completion);
        choice["finish_reason"]!.GetValue<string>().ShouldBe("tool_calls");
        choice["message"]!["content"].ShouldBeNull("an answer that only calls functions has no content");
        var call = choice["message"]!["tool_calls"]!.AsArray().Single()!;
        call["id"]!.GetValue<string>().ShouldStartWith("call_");
        call["type"]!.GetValue<string>().ShouldBe("function");
        call["function"]!["name"]!.GetValue<string>().ShouldBe("get_weather");
        var arguments = JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!;
        arguments["city"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        arguments["unit"]!.GetValue<string>().ShouldBeOneOf("celsius", "fahrenheit");
    }

    [Test]
    public async Task Auto_calls_the_tools_the_question_mentions_and_answers_other_questions_in_text()
    {
        var tools = $",\"tools\":[{WeatherTool},{TimeTool}]";
        var (_, both) = await AskAsync(Groq, "llama-3.3-70b-versatile", "What is the weather and the local time in Oslo?", tools);
        Choice(both)["message"]!["tool_calls"]!.AsArray().Select(c => c!["function"]!["name"]!.GetValue<string>()).ShouldBe(["get_weather", "get_local_time"]);

        var (_, one) = await AskAsync(Groq, "llama-3.3-70b-versatile", "What is the weather and the local time in Oslo?", tools + ",\"parallel_tool_calls\":false");
        Choice(one)["message"]!["tool_calls"]!.AsArray().Count.ShouldBe(1, "parallel_tool_calls false: one call at a time");

        var (_, text) = await AskAsync(Groq, "llama-3.3-70b-versatile", "Say hello", tools);
        Choice(text)["finish_reason"]!.GetValue<string>().ShouldBe("stop");
        Choice(text)["message"]!["content"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        Choice(text)["message"]!.AsObject().ContainsKey("tool_calls").ShouldBeFalse("Groq sends no tool_calls when there are none");

        var (_, none) = await AskAsync(Groq, "llama-3.3-70b-versatile", "What is the weather in Oslo?", tools + ",\"tool_choice\":\"none\"");
        Choice(none)["finish_reason"]!.GetValue<string>().ShouldBe("stop");
    }

    [Test]
    public async Task A_named_choice_calls_that_function_whatever_the_question()
    {
        var (_, completion) = await AskAsync(Together, "meta-llama/Llama-3.3-70B-Instruct-Turbo", "Say hello",
            $",\"tools\":[{WeatherTool},{TimeTool}],\"tool_choice\":{{\"type\":\"function\",\"function\":{{\"name\":\"get_local_time\"}}}}");
        Choice(completion)["message"]!["tool_calls"]!.AsArray().Single()!["function"]!["name"]!.GetValue<string>().ShouldBe("get_local_time");
    }

    [Test]
    public async Task After_the_tools_result_the_model_answers_in_text()
    {
        var messages = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "What is the weather in Paris?" },
            new JsonObject
            {
                ["role"] = "assistant", ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\",\"unit\":\"celsius\"}" } }),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "{\"temperature\":18}" });
        var body = new JsonObject { ["model"] = "llama-3.3-70b-versatile", ["messages"] = messages, ["tools"] = JsonNode.Parse($"[{WeatherTool}]") }.ToJsonString();
        var scope = Groq.OpenScope("tools round trip");
        var (response, text) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", body));
        ((int)response.StatusCode).ShouldBe(200, text);
        var choice = Choice((JsonObject)JsonNode.Parse(text)!);
        choice["finish_reason"]!.GetValue<string>().ShouldBe("stop");
        choice["message"]!["content"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [TestCase("groq")]
    [TestCase("together_ai")]
    public async Task A_streamed_call_arrives_whole_in_a_chunk_of_its_own_and_the_stream_finishes_with_tool_calls(string provider)
    {
        var model = provider == "groq" ? "llama-3.3-70b-versatile" : "meta-llama/Llama-3.3-70B-Instruct-Turbo";
        var (_, result) = await AskAsync(Providers[provider], model, "Weather and local time in Oslo?", $",\"tools\":[{WeatherTool},{TimeTool}],\"tool_choice\":\"required\"", stream: true);
        var chunks = result["chunks"]!.AsArray().Select(c => c!).ToList();
        var calls = chunks.Where(c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["delta"]?["tool_calls"] is JsonArray).ToList();
        calls.Count.ShouldBe(2);
        calls.Select(c => c["choices"]![0]!["delta"]!["tool_calls"]![0]!["index"]!.GetValue<int>()).ShouldBe([0, 1]);
        calls.ShouldAllBe(c => JsonNode.Parse(c["choices"]![0]!["delta"]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>()) is JsonObject);
        chunks.Select(c => c["choices"]!.AsArray().FirstOrDefault()?["finish_reason"]?.GetValue<string>()).Last(f => f is not null).ShouldBe("tool_calls");
    }

    [TestCase(",\"tools\":{}", "tools")]
    [TestCase(",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bad name!\"}}]", "tools.0.function.name")]
    [TestCase(",\"tool_choice\":\"required\"", "tool_choice")]
    [TestCase(",\"tools\":[" + WeatherTool + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}", "tool_choice")]
    [TestCase(",\"tools\":[" + WeatherTool + "],\"tool_choice\":\"sometimes\"", "tool_choice")]
    public async Task A_malformed_tool_request_is_refused_with_the_field_named(string extra, string param)
    {
        foreach (var provider in new[] { Groq, Together })
        {
            var model = provider == Groq ? "llama-3.3-70b-versatile" : "meta-llama/Llama-3.3-70B-Instruct-Turbo";
            var (status, body) = await AskAsync(provider, model, "What is the weather?", extra);
            status.ShouldBe(400, body.ToJsonString());
            body["error"]!["param"]!.GetValue<string>().ShouldBe(param);
        }
    }

    [Test]
    public async Task A_tool_message_without_its_call_id_is_refused()
    {
        var body = new JsonObject
        {
            ["model"] = "llama-3.3-70b-versatile",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }, new JsonObject { ["role"] = "tool", ["content"] = "{}" }),
        }.ToJsonString();
        var scope = Groq.OpenScope("tool message without id");
        var (response, text) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", body));
        ((int)response.StatusCode).ShouldBe(400, text);
        text.ShouldContain("tool_call_id");
    }

    [Test]
    public async Task The_official_OpenAI_SDK_reads_the_calls()
    {
        var scope = Groq.OpenScope("sdk tools");
        var client = new OpenAIClient(new ApiKeyCredential(scope.ApiKey), new OpenAIClientOptions { Endpoint = Groq.BaseUrl, RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient("llama-3.3-70b-versatile");
        var tool = ChatTool.CreateFunctionTool("get_weather", "The weather now in a city.",
            BinaryData.FromString("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));
        var options = new ChatCompletionOptions { Tools = { tool }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("What is the weather in Paris?")], options);
        completion.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        completion.ToolCalls.Single().FunctionName.ShouldBe("get_weather");
        JsonNode.Parse(completion.ToolCalls.Single().FunctionArguments.ToString())!["city"].ShouldNotBeNull();

        var streamed = new List<StreamingChatToolCallUpdate>();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("What is the weather in Paris?")], options))
            streamed.AddRange(update.ToolCallUpdates);
        streamed.Single().FunctionName.ShouldBe("get_weather");
    }
}
