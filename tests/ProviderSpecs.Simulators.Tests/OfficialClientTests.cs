using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>The official OpenAI .NET SDK, pointed at the simulators, is satisfied by what they send.</summary>
public sealed class OfficialClientTests
{
    private static ChatClient Client(SimulatedProvider provider, string key, string model) =>
        new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = provider.BaseUrl, RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient(model);

    [Test]
    public async Task CompleteChat_against_groq_returns_text_finish_reason_and_usage()
    {
        var scope = Groq.OpenScope("sdk complete chat");
        ChatCompletion completion = await Client(Groq, scope.ApiKey, "openai/gpt-oss-20b").CompleteChatAsync([new UserChatMessage("Hello")]);

        completion.Content.Single().Text.ShouldNotBeNullOrWhiteSpace();
        completion.FinishReason.ShouldBe(ChatFinishReason.Stop);
        completion.Usage.OutputTokenCount.ShouldBe(scope.Requests.Single().CompletionTokens);
        completion.Id.ShouldStartWith("chatcmpl-");
    }

    [Test]
    public async Task CompleteChatStreaming_against_groq_delivers_text_and_usage_from_the_final_chunk()
    {
        var scope = Groq.OpenScope("sdk streaming");
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 7 };
        await foreach (var update in Client(Groq, scope.ApiKey, "llama-3.1-8b-instant").CompleteChatStreamingAsync([new UserChatMessage("Hello")], options))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        finish.ShouldBe(ChatFinishReason.Length);
        usage.ShouldNotBeNull().OutputTokenCount.ShouldBe(7);
        scope.Requests.Single().Body.ShouldContain("\"max_completion_tokens\":7");
        text.ToString().ShouldNotBeNullOrWhiteSpace();
    }

    [Test]
    public async Task CompleteChat_against_together_parses_its_completion()
    {
        var scope = Together.OpenScope("sdk together");
        // Together ends answers with finish_reason "eos", which the OpenAI SDK does not know; a stop sequence gives "stop" instead.
        var options = new ChatCompletionOptions { StopSequences = { "." } };
        ChatCompletion completion = await Client(Together, scope.ApiKey, "meta-llama/Llama-3.3-70B-Instruct-Turbo").CompleteChatAsync([new UserChatMessage("Hello")], options);
        completion.Content.Single().Text.ShouldNotContain(".");
        completion.FinishReason.ShouldBe(ChatFinishReason.Stop);
    }

    [Test]
    public async Task Errors_surface_as_ClientResultException_with_the_providers_status()
    {
        var limited = Groq.OpenScope("sdk errors");
        limited.InjectFault("rate-limit-sequence", new FaultOptions { Count = 1 });

        var unauthorized = await Should.ThrowAsync<ClientResultException>(() => Client(Groq, "gsk_sim_wrong_key_0001", "llama-3.1-8b-instant").CompleteChatAsync([new UserChatMessage("Hi")]));
        var notFound = await Should.ThrowAsync<ClientResultException>(() => Client(Groq, limited.ApiKey, "no-such-model").CompleteChatAsync([new UserChatMessage("Hi")]));
        var rateLimited = await Should.ThrowAsync<ClientResultException>(() => Client(Groq, limited.ApiKey, "llama-3.1-8b-instant").CompleteChatAsync([new UserChatMessage("Hi")]));

        unauthorized.Status.ShouldBe(401);
        notFound.Status.ShouldBe(404);
        rateLimited.Status.ShouldBe(429);
        rateLimited.Message.ShouldContain("rate_limit_exceeded");
        rateLimited.GetRawResponse()!.Headers.TryGetValue("retry-after", out var retryAfter).ShouldBeTrue();
        retryAfter.ShouldBe("1");
    }
}
