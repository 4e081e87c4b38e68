using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// A provider whose API refuses fields it does not document (Mistral answers 422 <c>extra_forbidden</c>) gets each
/// request in its own terms: the registry's names for OpenAI's fields, without the fields it refuses.
/// </summary>
public class StrictProviderTests
{
    private const string MistralKey = "mistral_test_key_0003";

    private static string MistralChunk(string content, string? finish = null, string extra = "") =>
        Stub.Chunk(content, finish, extra).Replace("\"model\":\"m\"", "\"model\":\"mistral-small-latest\"");

    [Test]
    public async Task Mistral_gets_its_own_field_names_and_never_stream_options()
    {
        var handler = new StubHandler()
            .Json(Stub.TogetherCompletion("stop"))
            .Sse(MistralChunk("Hi") + MistralChunk("", "stop") + "data: [DONE]\n\n");
        using (var session = Stub.Session("mistral", handler, MistralKey))
        {
            var chat = session.CreateChatClient("mistral-small-latest");
            await chat.CompleteAsync("hi", new ChatOptions { MaxOutputTokens = 5, Seed = 7 });
            await chat.Stream("hi", new ChatOptions { MaxOutputTokens = 6, Seed = 8 }).CollectAsync();
        }
        foreach (var ((_, body), (limit, seed)) in handler.Requests.Zip(new[] { (5, 7), (6, 8) }))
        {
            using var sent = JsonDocument.Parse(body!);
            var root = sent.RootElement;
            root.GetProperty("max_tokens").GetInt32().ShouldBe(limit);
            root.GetProperty("random_seed").GetInt64().ShouldBe(seed);
            root.TryGetProperty("max_completion_tokens", out _).ShouldBeFalse(body);
            root.TryGetProperty("seed", out _).ShouldBeFalse(body);
            root.TryGetProperty("stream_options", out _).ShouldBeFalse(body);
        }
        JsonDocument.Parse(handler.Requests[1].Body!).RootElement.GetProperty("stream").GetBoolean().ShouldBeTrue();
    }

    [Test]
    public async Task A_common_option_given_by_name_follows_the_same_terms()
    {
        var handler = new StubHandler().Json(Stub.TogetherCompletion("stop"));
        using var session = Stub.Session("mistral", handler, MistralKey);
        var chat = session.CreateChatClient("mistral-small-latest");
        await chat.CompleteAsync("hi", new ChatOptions { AdditionalProperties = new() { ["seed"] = 9, ["max_completion_tokens"] = 4 } });
        using (var sent = JsonDocument.Parse(handler.Requests.Single().Body!))
        {
            sent.RootElement.GetProperty("random_seed").GetInt32().ShouldBe(9);
            sent.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(4);
            sent.RootElement.TryGetProperty("seed", out _).ShouldBeFalse();
        }
        // A field the provider refuses is refused before sending, like any option it does not take.
        var error = await Should.ThrowAsync<ProviderException>(() => chat.CompleteAsync("hi",
            new ChatOptions { AdditionalProperties = new() { ["stream_options"] = new Dictionary<string, bool> { ["include_usage"] = true } } }));
        error.ErrorKey.ShouldBe(ErrorKeys.UnsupportedParameter);
        error.Message.ShouldContain("Mistral refuses it");
        handler.Requests.Count.ShouldBe(1);
    }

    [Test]
    public async Task Providers_that_take_stream_options_still_get_it()
    {
        // The OpenAI SDK asks for usage on every stream; only a provider that refuses the field goes without.
        var handler = new StubHandler().Sse(Stub.GroqStream());
        using (var session = Stub.Session("groq", handler))
            await session.CreateChatClient("llama-3.1-8b-instant").Stream("hi", new ChatOptions { Seed = 3 }).CollectAsync();
        using var sent = JsonDocument.Parse(handler.Requests.Single().Body!);
        sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
        sent.RootElement.GetProperty("seed").GetInt64().ShouldBe(3);
    }

    [Test]
    public async Task A_stream_reports_the_usage_a_provider_sends_unasked()
    {
        // Mistral puts usage on the chunk that finishes the answer, without stream_options.
        var handler = new StubHandler().Sse(MistralChunk("Hi")
            + MistralChunk(" there", "stop", ",\"usage\":{\"prompt_tokens\":6,\"total_tokens\":9,\"completion_tokens\":3}")
            + "data: [DONE]\n\n");
        using var session = Stub.Session("mistral", handler, MistralKey);
        var result = await session.CreateChatClient("mistral-small-latest").Stream("hi").CollectAsync();
        result.Text.ShouldBe("Hi there");
        result.Usage!.InputTokens.ShouldBe(6);
        result.Usage.OutputTokens.ShouldBe(3);
    }

    [Test]
    public async Task Mistrals_model_length_is_a_length_finish_whole_and_streamed()
    {
        // model_length: the context window filled up. The SDK's enum does not know it; the raw value is kept.
        var whole = new StubHandler().Json(Stub.TogetherCompletion("model_length"));
        using (var session = Stub.Session("mistral", whole, MistralKey))
        {
            var result = await session.CreateChatClient("mistral-small-latest").CompleteAsync("hi");
            result.FinishReason.ShouldBe("length");
            result.RawFinishReason.ShouldBe("model_length");
        }
        var streamed = new StubHandler().Sse(MistralChunk("Hi") + MistralChunk("", "model_length") + "data: [DONE]\n\n");
        using (var session = Stub.Session("mistral", streamed, MistralKey))
        {
            var result = await session.CreateChatClient("mistral-small-latest").Stream("hi").CollectAsync();
            result.FinishReason.ShouldBe("length");
            result.RawFinishReason.ShouldBe("model_length");
            result.Text.ShouldBe("Hi");
        }
    }

    [Test]
    public async Task A_finish_reason_the_layer_does_not_know_is_kept_with_the_answer_whole_and_streamed()
    {
        // DeepSeek ends an answer it cut for lack of capacity with insufficient_system_resource; the SDK's enum has no
        // such value. The answer is kept and the provider's word is the finish reason, never a malformed response.
        var whole = new StubHandler().Json(Stub.TogetherCompletion("insufficient_system_resource"));
        using (var session = Stub.Session("deepseek", whole, "sk-test-0004"))
        {
            var result = await session.CreateChatClient("deepseek-chat").CompleteAsync("hi");
            result.Text.ShouldBe("Hi there");
            result.FinishReason.ShouldBe("insufficient_system_resource");
            result.RawFinishReason.ShouldBe("insufficient_system_resource");
            result.Response.FinishReason!.Value.Value.ShouldBe("insufficient_system_resource");
        }
        var streamed = new StubHandler().Sse(Stub.Chunk("Hi", finish: "") + Stub.Chunk(" there") + Stub.Chunk("", "insufficient_system_resource") + "data: [DONE]\n\n");
        using (var session = Stub.Session("deepseek", streamed, "sk-test-0004"))
        {
            var result = await session.CreateChatClient("deepseek-chat").Stream("hi").CollectAsync();
            result.Text.ShouldBe("Hi there");
            result.FinishReason.ShouldBe("insufficient_system_resource");
            result.RawFinishReason.ShouldBe("insufficient_system_resource");
        }
        // A known alias still normalises, whole and streamed: max_tokens is length.
        var alias = new StubHandler().Json(Stub.TogetherCompletion("max_tokens")).Sse(Stub.Chunk("Hi") + Stub.Chunk("", "max_tokens") + "data: [DONE]\n\n");
        using (var session = Stub.Session("deepseek", alias, "sk-test-0004"))
        {
            var chat = session.CreateChatClient("deepseek-chat");
            (await chat.CompleteAsync("hi")).FinishReason.ShouldBe("length");
            (await chat.Stream("hi").CollectAsync()).FinishReason.ShouldBe("length");
        }
    }

    [Test]
    public async Task An_empty_finish_reason_finishes_nothing()
    {
        var whole = new StubHandler().Json(Stub.TogetherCompletion(""));
        using var session = Stub.Session("deepseek", whole, "sk-test-0004");
        var result = await session.CreateChatClient("deepseek-chat").CompleteAsync("hi");
        result.Text.ShouldBe("Hi there");
        result.FinishReason.ShouldBeNull();
        result.RawFinishReason.ShouldBe("");
    }

    [Test]
    public void Only_finish_reason_values_outside_openais_become_the_placeholder()
    {
        string? Rewritten(string json) => WireJson.ReplaceForeignFinishReasons(System.Text.Encoding.UTF8.GetBytes(json)) is { } bytes
            ? System.Text.Encoding.UTF8.GetString(bytes) : null;
        Rewritten("""{"finish_reason":"error","x":"error"}""").ShouldBe("""{"finish_reason":"stop","x":"error"}""");
        Rewritten("""{"finish_reason" : "","n":1}""").ShouldBe("""{"finish_reason" : "stop","n":1}""");
        Rewritten("""{"finish_reason":"model_length"}""").ShouldBe("""{"finish_reason":"stop"}"""); // the call restores "length"
        foreach (var known in new[] { "stop", "length", "tool_calls", "content_filter", "function_call" })
            Rewritten($$"""{"finish_reason":"{{known}}"}""").ShouldBeNull();
        Rewritten("""{"finish_reason":null}""").ShouldBeNull();
    }

    [Test]
    public async Task A_refused_field_is_named_in_the_error()
    {
        // Mistral's 422: a FastAPI validation list inside the error's message; the rejected input is never quoted.
        var handler = new StubHandler().Json("""
            {"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","max_completion_tokens"],"msg":"Extra inputs are not permitted","input":32000},
             {"type":"extra_forbidden","loc":["body","messages",0,"user","name"],"msg":"Extra inputs are not permitted","input":"secret-ish"}]},
             "type":"invalid_request_error","param":null,"code":null}
            """, HttpStatusCode.UnprocessableEntity);
        using var session = Stub.Session("mistral", handler, MistralKey);
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("mistral-small-latest").CompleteAsync("hi"));
        error.ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        error.HttpStatus.ShouldBe(422);
        error.ProviderMessage.ShouldBe("max_completion_tokens: Extra inputs are not permitted; messages.0.user.name: Extra inputs are not permitted");
        error.Message.ShouldContain("max_completion_tokens: Extra inputs are not permitted");
        error.Message.ShouldNotContain("32000");
        error.Message.ShouldNotContain("secret-ish");
    }

    [Test]
    public void A_bare_validation_list_is_read_too()
    {
        ErrorMapper.ReadErrorBody("""{"detail":[{"loc":["body","stream_options","include_usage"],"msg":"Extra inputs are not permitted"}]}""")
            .Message.ShouldBe("stream_options.include_usage: Extra inputs are not permitted");
        ErrorMapper.ReadErrorBody("""{"detail":"Not Found"}""").Message.ShouldBe("Not Found");
        ErrorMapper.ReadErrorBody("""{"error":{"message":"plain","type":"t"}}""").Message.ShouldBe("plain");
    }

    [Test]
    public void The_registry_names_each_providers_fields_and_refuses_a_field_both_renamed_and_left_out()
    {
        var registry = ProviderRegistry.Default;
        registry.Resolve("mistral").MaxTokensField.ShouldBe("max_tokens");
        registry.Resolve("mistral").RequestFieldNames["seed"].ShouldBe("random_seed");
        registry.Resolve("mistral").OmittedRequestFields.ShouldBe(["stream_options"]);
        registry.Resolve("together").MaxTokensField.ShouldBe("max_tokens");
        registry.Resolve("deepseek").MaxTokensField.ShouldBe("max_tokens"); // it ignores max_completion_tokens silently
        registry.Resolve("groq").MaxTokensField.ShouldBe(ProviderDefinition.DefaultMaxTokensField);
        registry.Resolve("groq").OmittedRequestFields.ShouldBeEmpty();

        var both = registry.Resolve("mistral") with
        {
            Id = "strict", Aliases = [],
            RequestFieldNames = new Dictionary<string, string> { ["stream_options"] = "streaming" },
        };
        Should.Throw<InvalidOperationException>(() => new ProviderRegistry([both], registry.CommonOptions))
            .Message.ShouldContain("'stream_options'");
        var chained = both with
        {
            RequestFieldNames = new Dictionary<string, string> { ["seed"] = "random_seed", ["random_seed"] = "s" },
            OmittedRequestFields = [],
        };
        Should.Throw<InvalidOperationException>(() => new ProviderRegistry([chained], registry.CommonOptions)).Message.ShouldContain("renamed once");
    }
}
