using System.Net;
using Microsoft.Extensions.AI;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// A reasoning model's thinking, sent apart from the answer: Groq and Together name it <c>reasoning</c>, DeepSeek and
/// older vLLM <c>reasoning_content</c>. Microsoft.Extensions.AI's OpenAI adapter reads only the second; the layer reads both.
/// </summary>
public class ReasoningTests
{
    private static string Delta(string delta, string? finish = null) =>
        "data: {\"id\":\"chatcmpl-r\",\"object\":\"chat.completion.chunk\",\"created\":1730241104,\"model\":\"openai/gpt-oss-20b\",\"choices\":[{\"index\":0,\"delta\":"
        + delta + ",\"logprobs\":null,\"finish_reason\":" + (finish is null ? "null" : $"\"{finish}\"") + "}]}\n\n";

    private static string Completion(string message) => $$$$"""
        {"id":"chatcmpl-r","object":"chat.completion","created":1730241104,"model":"openai/gpt-oss-20b",
         "choices":[{"index":0,"message":{{{{message}}}},"logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,"completion_tokens_details":{"reasoning_tokens":22}}}
        """;

    [Test]
    public async Task A_groq_stream_of_reasoning_then_answer_yields_the_reasoning_apart_from_the_text()
    {
        // gpt-oss on Groq: the thinking comes first, in delta.reasoning, then the answer in delta.content.
        var sse = Delta("""{"role":"assistant","content":""}""") + Delta("""{"reasoning":"The user "}""") + Delta("""{"reasoning":"greets."}""")
                  + Delta("""{"content":"Hello"}""") + Delta("""{"content":"!"}""") + Delta("{}", "stop") + "data: [DONE]\n\n";
        using var session = Stub.Session("groq", new StubHandler().Sse(sse));
        var stream = session.CreateChatClient("openai/gpt-oss-20b").Stream("hi");
        var kinds = new List<string>();
        await foreach (var update in stream)
            kinds.AddRange(update.Contents.Where(c => c is TextReasoningContent or TextContent { Text.Length: > 0 }).Select(c => c is TextReasoningContent r ? "reasoning:" + r.Text : "text:" + ((TextContent)c).Text));

        kinds.ShouldBe(["reasoning:The user ", "reasoning:greets.", "text:Hello", "text:!"]);
        stream.Result.Text.ShouldBe("Hello!");
        stream.Result.Reasoning.ShouldBe("The user greets.");
    }

    [Test]
    public async Task A_chunk_with_both_names_gives_reasoning_content_as_the_adapter_would()
    {
        var sse = Delta("""{"reasoning":"alias first","reasoning_content":"standard"}""") + Delta("""{"reasoning_content":"standard again","reasoning":"alias last"}""")
                  + Delta("""{"content":"ok"}""", "stop") + "data: [DONE]\n\n";
        using var session = Stub.Session("groq", new StubHandler().Sse(sse));
        var result = await session.CreateChatClient("m").Stream("hi").CollectAsync();
        result.Reasoning.ShouldBe("standardstandard again");
    }

    [Test]
    public async Task A_whole_completion_carries_message_reasoning_once_whichever_name_it_has()
    {
        using (var session = Stub.Session("together", new StubHandler().Json(Completion("""{"role":"assistant","content":"Paris.","reasoning":"France's capital."}""")), Stub.TogetherKey))
        {
            var result = await session.CreateChatClient("openai/gpt-oss-20b").CompleteAsync("Capital of France?");
            result.Text.ShouldBe("Paris.");
            result.Reasoning.ShouldBe("France's capital.");
            result.Response.Messages.Single().Contents.OfType<TextReasoningContent>().Count().ShouldBe(1);
        }

        // reasoning_content is the adapter's own: read once, not twice (and the alias beside it is left alone).
        using (var session = Stub.Session("groq", new StubHandler().Json(Completion("""{"role":"assistant","content":"4","reasoning_content":"2+2","reasoning":"alias"}"""))))
        {
            var result = await session.CreateChatClient("qwen/qwen3-32b").CompleteAsync("2+2?");
            result.Reasoning.ShouldBe("2+2");
            result.Response.Messages.Single().Contents.OfType<TextReasoningContent>().Count().ShouldBe(1);
        }
    }

    [Test]
    public async Task A_model_that_does_not_reason_has_no_reasoning()
    {
        using var session = Stub.Session("groq", new StubHandler().Json(Stub.GroqCompletion()));
        var result = await session.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("hi");
        result.Reasoning.ShouldBeNull();
        // Reasoning sent inside the text between <think> tags (Groq's reasoning_format raw) stays in the text.
        using var raw = Stub.Session("groq", new StubHandler().Json(Completion("""{"role":"assistant","content":"<think>hm</think>Yes."}""")));
        var thinking = await raw.CreateChatClient("qwen/qwen3-32b").CompleteAsync("?");
        thinking.Text.ShouldBe("<think>hm</think>Yes.");
        thinking.Reasoning.ShouldBeNull();
    }
}

/// <summary>A conversation that goes on after a reasoning model's answer sends the answer back without its thinking.</summary>
public class ReasoningHistoryTests
{
    [Test]
    public async Task An_answer_sent_back_in_the_history_leaves_its_thinking_out()
    {
        // Groq refuses reasoning fields on an assistant message ("property 'reasoning_content' is unsupported"), and the
        // thinking is the model's own scratch work: the follow-up carries the answer's text only.
        const string reply = """
            {"id":"chatcmpl-r","object":"chat.completion","created":1730241104,"model":"openai/gpt-oss-20b",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Paris.","reasoning":"France's capital."},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}
            """;
        var handler = new StubHandler().Json(reply).Json(reply);
        using var session = Stub.Session("groq", handler);
        var chat = session.CreateChatClient("openai/gpt-oss-20b");
        var first = await chat.CompleteAsync("Capital of France?");
        first.Reasoning.ShouldBe("France's capital.");

        List<ChatMessage> history = [new(ChatRole.User, "Capital of France?"), .. first.Response.Messages, new(ChatRole.User, "And of Italy?")];
        await chat.CompleteAsync(history);

        var sent = handler.Requests[^1].Body!;
        sent.ShouldContain("\"Paris.\"");
        sent.ShouldNotContain("France's capital.");
        sent.ShouldNotContain("reasoning");
    }
}
