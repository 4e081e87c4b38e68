using Microsoft.Extensions.AI;
using ProviderSpecs.Providers.Chat;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// A streamed result reports finish reason, usage and response id from the updates without merging them, and merges
/// them into <see cref="ChatResult.Response"/> only when the response or the text is read. These hold the unmerged
/// figures to Microsoft.Extensions.AI's merge of the same updates.
/// </summary>
public class ChatResultTests
{
    private static string Usage(int prompt, int completion) =>
        "data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
        + ",\"total_tokens\":" + (prompt + completion) + "}}\n\n";

    public static IEnumerable<TestCaseData> Streams()
    {
        yield return new TestCaseData(Stub.GroqStream()).SetName("Groq stream: usage in a last chunk of its own");
        yield return new TestCaseData(Stub.Chunk("a") + Stub.Chunk("b", "length") + Usage(3, 2) + Usage(1, 1) + "data: [DONE]\n\n")
            .SetName("Two usage chunks add up");
        yield return new TestCaseData(Stub.Chunk("a") + Stub.Chunk("b").Replace("chatcmpl-1", "chatcmpl-2") + "data: [DONE]\n\n")
            .SetName("No finish reason, no usage, the id changing");
        yield return new TestCaseData(Stub.Chunk("a") + Stub.Chunk("", "content_filter").Replace("\"chatcmpl-1\"", "\"\"") + "data: [DONE]\n\n")
            .SetName("An empty id does not replace the earlier one");
    }

    [TestCaseSource(nameof(Streams))]
    public async Task A_streamed_result_reports_what_the_merged_response_says(string sse)
    {
        using var session = Stub.Session("groq", new StubHandler().Sse(sse));
        var stream = session.CreateChatClient("m").Stream("hi");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream) updates.Add(update);
        var result = stream.Result;
        var merged = updates.ToChatResponse();

        result.FinishReason.ShouldBe(merged.FinishReason?.Value);
        result.ResponseId.ShouldBe(merged.ResponseId);
        result.Usage?.InputTokens.ShouldBe(merged.Usage?.InputTokenCount);
        result.Usage?.OutputTokens.ShouldBe(merged.Usage?.OutputTokenCount);
        result.Usage?.TotalTokens.ShouldBe(merged.Usage?.TotalTokenCount);
        (result.Usage is null).ShouldBe(merged.Usage is null);
        result.Text.ShouldBe(merged.Text);
        result.Response.Messages.Count.ShouldBe(merged.Messages.Count);
        result.Response.ResponseId.ShouldBe(merged.ResponseId);
    }

    [Test]
    public async Task The_merged_response_is_built_once_whoever_reads_it_first()
    {
        using var session = Stub.Session("groq", new StubHandler().Sse(Stub.GroqStream()));
        var result = await session.CreateChatClient("m").Stream("hi").CollectAsync();
        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => result.Response)));
        reads.ShouldAllBe(response => ReferenceEquals(response, reads[0]));
        result.Response.ShouldBeSameAs(reads[0]);
        result.Text.ShouldBe("Hello");
        reads[0].FinishReason.ShouldBe(ChatFinishReason.Stop);
    }

    [Test]
    public async Task A_non_streamed_result_carries_the_response_it_received()
    {
        using var session = Stub.Session("groq", new StubHandler().Json(Stub.GroqCompletion("Hi there", "length")));
        var result = await session.CreateChatClient("m").CompleteAsync("hi");
        result.Text.ShouldBe("Hi there");
        result.FinishReason.ShouldBe("length");
        result.Response.Text.ShouldBe("Hi there");
        result.ResponseId.ShouldBe(result.Response.ResponseId);
    }

    [Test]
    public void A_result_built_without_a_response_says_so_when_read()
    {
        var result = new ChatResult { ProviderId = "groq", Model = "m", Attempts = [] };
        Should.Throw<InvalidOperationException>(() => result.Text).Message.ShouldContain("set Response");
    }

    [Test]
    public async Task A_copy_of_a_streamed_result_shares_its_merge_and_equals_it_whether_read_or_not()
    {
        using var session = Stub.Session("groq", new StubHandler().Sse(Stub.GroqStream()));
        var result = await session.CreateChatClient("m").Stream("hi").CollectAsync();

        var copy = result with { Elapsed = result.Elapsed }; // taken before anything read the response
        copy.ShouldBe(result);
        copy.Response.ShouldBeSameAs(result.Response, "the copy and the original merge the updates once, together");
        copy.ShouldBe(result);
        copy.GetHashCode().ShouldBe(result.GetHashCode());
        (result with { StreamedChunks = result.StreamedChunks + 1 }).ShouldNotBe(result);
    }

    [Test]
    public void Results_given_the_same_response_are_equal_and_given_another_are_not()
    {
        IReadOnlyList<Resilience.AttemptRecord> attempts = [];
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hi"));
        ChatResult Result(ChatResponse r) => new() { ProviderId = "groq", Model = "m", Attempts = attempts, Response = r };

        Result(response).ShouldBe(Result(response));
        Result(response).GetHashCode().ShouldBe(Result(response).GetHashCode());
        Result(response).ShouldNotBe(Result(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hi"))));
        (Result(response) with { Response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Bye")) }).Text.ShouldBe("Bye");
    }
}
