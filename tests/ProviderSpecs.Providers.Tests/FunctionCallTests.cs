using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// Function calls come back through the layer as the reply's <see cref="FunctionCallContent"/>s, listed by
/// <see cref="Chat.ChatResult.FunctionCalls"/>, whole or streamed (Groq sends each call whole in one delta).
/// </summary>
public class FunctionCallTests
{
    private const string Call = """{"id":"call_a1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}}""";

    /// <summary>A whole completion whose answer is <see cref="Call"/>.</summary>
    private static readonly string WholeAnswer = """
        {"id":"chatcmpl-t","object":"chat.completion","created":1730241104,"model":"llama-3.3-70b-versatile",
         "choices":[{"index":0,"message":{"role":"assistant","tool_calls":[CALL]},"logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":40,"completion_tokens":12,"total_tokens":52}}
        """.Replace("CALL", Call);

    [Test]
    public async Task A_whole_completion_lists_its_calls_with_ids_names_and_arguments()
    {
        using var session = Stub.Session("groq", new StubHandler().Json(WholeAnswer));
        var result = await session.CreateChatClient("llama-3.3-70b-versatile").CompleteAsync("Weather in Paris?");

        result.FinishReason.ShouldBe("tool_calls");
        var call = result.FunctionCalls.Single();
        (call.CallId, call.Name).ShouldBe(("call_a1", "get_weather"));
        JsonSerializer.Serialize(call.Arguments).ShouldBe("""{"city":"Paris","unit":"celsius"}""");
    }

    [Test]
    public async Task A_stream_gathers_its_calls_into_the_result()
    {
        static string Delta(string delta, string? finish = null) =>
            "data: {\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"llama-3.3-70b-versatile\",\"choices\":[{\"index\":0,\"delta\":"
            + delta + ",\"logprobs\":null,\"finish_reason\":" + (finish is null ? "null" : $"\"{finish}\"") + "}]}\n\n";
        var sse = Delta("""{"role":"assistant","content":""}""")
                  + Delta("""{"tool_calls":[{"index":0,""" + Call[1..] + "]}")
                  + Delta("{}", "tool_calls") + "data: [DONE]\n\n";
        using var session = Stub.Session("groq", new StubHandler().Sse(sse));
        var result = await session.CreateChatClient("llama-3.3-70b-versatile").Stream("Weather in Paris?").CollectAsync();

        result.FinishReason.ShouldBe("tool_calls");
        result.FunctionCalls.Single().Name.ShouldBe("get_weather");
        result.FunctionCalls.Single().Arguments!["city"]!.ToString().ShouldBe("Paris");
    }

    [Test]
    public async Task An_answer_in_text_lists_no_calls()
    {
        var body = """
            {"id":"chatcmpl-t","object":"chat.completion","created":1730241104,"model":"m",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}
            """;
        using var session = Stub.Session("groq", new StubHandler().Json(body));
        (await session.CreateChatClient("m").CompleteAsync("hi")).FunctionCalls.ShouldBeEmpty();
    }

    private const string ToolUseFailed = """
        {"error":{"message":"Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.",
         "type":"invalid_request_error","code":"tool_use_failed","failed_generation":"<function=get_weather>{\"city\": Paris}</function>"}}
        """;

    [Test]
    public async Task A_function_call_the_model_got_wrong_is_tried_again_only_when_asked()
    {
        var fast = new ResilienceOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), UseJitter = false };

        var asDefault = new StubHandler().Json(ToolUseFailed, HttpStatusCode.BadRequest).Json(WholeAnswer);
        using (var session = Stub.Session("groq", asDefault, resilience: fast))
        {
            var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("llama-3.3-70b-versatile").CompleteAsync("Weather in Paris?"));
            error.ErrorKey.ShouldBe(ErrorKeys.ToolCallFailed);
            error.Attempts.ShouldHaveSingleItem();
        }
        asDefault.Requests.Count.ShouldBe(1);

        var retried = new StubHandler().Json(ToolUseFailed, HttpStatusCode.BadRequest).Json(WholeAnswer);
        using (var session = Stub.Session("groq", retried, resilience: fast with { RetryToolCallFailures = true }))
        {
            var result = await session.CreateChatClient("llama-3.3-70b-versatile").CompleteAsync("Weather in Paris?");
            result.FunctionCalls.Single().Name.ShouldBe("get_weather");
            result.Attempts.Select(a => a.Outcome).ShouldBe([ErrorKeys.ToolCallFailed, AttemptRecord.Success]);
        }
        // Other 400s are never retried, whatever this option says.
        var badRequest = new StubHandler().Json("""{"error":{"message":"bad","type":"invalid_request_error"}}""", HttpStatusCode.BadRequest).Json(WholeAnswer);
        using (var session = Stub.Session("groq", badRequest, resilience: fast with { RetryToolCallFailures = true }))
            (await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("llama-3.3-70b-versatile").CompleteAsync("hi")))
                .ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        badRequest.Requests.Count.ShouldBe(1);
    }
}
