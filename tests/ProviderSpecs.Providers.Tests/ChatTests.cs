using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Tests;

public class ChatTests
{
    [Test]
    public async Task Non_streaming_groq_reply_carries_usage_timings_and_ids()
    {
        var handler = new StubHandler().Json(Stub.GroqCompletion(), HttpStatusCode.OK, ("x-request-id", "req_header_01"), ("x-ratelimit-remaining-tokens", "5000"), ("x-ratelimit-reset-tokens", "185ms"));
        using var session = Stub.Session("groq", handler);
        var result = await session.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("Say hello");
        result.Text.ShouldBe("Hello!");
        result.FinishReason.ShouldBe("stop");
        result.Usage!.InputTokens.ShouldBe(18);
        result.Usage.OutputTokens.ShouldBe(556);
        result.Usage.ProviderTimings!.QueueTime!.Value.TotalSeconds.ShouldBe(0.037493756, 1e-6);
        result.Usage.ProviderTimings.TotalTime!.Value.TotalSeconds.ShouldBe(0.464013927, 1e-6);
        result.ProviderResponseId.ShouldBe("req_01jbd6g2qdfw2adyrt2az8hz4w");
        result.RequestId.ShouldBe("req_header_01");
        result.RateLimit!.TokensReset.ShouldBe(TimeSpan.FromMilliseconds(185));
        result.Attempts.ShouldHaveSingleItem().Succeeded.ShouldBeTrue();
        var request = handler.Requests.Single();
        request.Request.RequestUri!.AbsolutePath.ShouldBe("/openai/v1/chat/completions");
        request.Request.Headers.Authorization!.Parameter.ShouldBe(Stub.GroqKey);
    }

    [Test]
    public async Task Together_eos_is_normalised_to_stop_and_kept_raw()
    {
        using var session = Stub.Session("together", new StubHandler().Json(Stub.TogetherCompletion()), Stub.TogetherKey);
        var result = await session.CreateChatClient("meta-llama/Llama-3.3-70B-Instruct-Turbo").CompleteAsync("hi");
        result.FinishReason.ShouldBe("stop");
        result.RawFinishReason.ShouldBe("eos");
        result.Usage!.TotalTokens.ShouldBe(8);
        result.Usage.ProviderTimings.ShouldBeNull();
    }

    [Test]
    public async Task The_token_limit_is_sent_under_the_name_each_provider_documents()
    {
        // Together AI documents max_tokens (its API and SDK have no max_completion_tokens); Groq documents max_completion_tokens.
        var together = new StubHandler().Json(Stub.TogetherCompletion()).Sse(Stub.Chunk("Hi") + Stub.Chunk("", "eos") + "data: [DONE]\n\n");
        using (var session = Stub.Session("together", together, Stub.TogetherKey))
        {
            var chat = session.CreateChatClient("meta-llama/Llama-3.3-70B-Instruct-Turbo");
            await chat.CompleteAsync("hi", new ChatOptions { MaxOutputTokens = 5 });
            await chat.Stream("hi", new ChatOptions { MaxOutputTokens = 6, AdditionalProperties = new() { ["top_k"] = 40 } }).CollectAsync();
        }
        foreach (var (request, limit) in together.Requests.Zip(new[] { 5, 6 }))
        {
            using var body = JsonDocument.Parse(request.Body!);
            body.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(limit);
            body.RootElement.TryGetProperty("max_completion_tokens", out _).ShouldBeFalse(request.Body);
        }

        var groq = new StubHandler().Json(Stub.GroqCompletion());
        using (var session = Stub.Session("groq", groq))
            await session.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("hi", new ChatOptions { MaxOutputTokens = 7 });
        using var groqBody = JsonDocument.Parse(groq.Requests.Single().Body!);
        groqBody.RootElement.GetProperty("max_completion_tokens").GetInt32().ShouldBe(7);
        groqBody.RootElement.TryGetProperty("max_tokens", out _).ShouldBeFalse();
    }

    [Test]
    public async Task Options_json_mode_and_provider_fields_are_sent()
    {
        var handler = new StubHandler().Json(Stub.GroqCompletion("{}"));
        using var session = Stub.Session("groq", handler);
        await session.CreateChatClient("openai/gpt-oss-20b").CompleteAsync("Answer in JSON", new ChatOptions
        {
            Temperature = 0.2f, TopP = 0.9f, MaxOutputTokens = 64, Seed = 42, StopSequences = ["END"],
            ResponseFormat = ChatResponseFormat.Json,
            AdditionalProperties = new() { ["service_tier"] = "flex", ["reasoning_effort"] = "low" },
        });
        using var body = JsonDocument.Parse(handler.Requests.Single().Body!);
        var root = body.RootElement;
        root.GetProperty("response_format").GetProperty("type").GetString().ShouldBe("json_object");
        root.GetProperty("temperature").GetDouble().ShouldBe(0.2, 1e-6);
        root.GetProperty("top_p").GetDouble().ShouldBe(0.9, 1e-6);
        root.GetProperty("max_completion_tokens").GetInt32().ShouldBe(64);
        root.GetProperty("seed").GetInt64().ShouldBe(42);
        root.GetProperty("stop")[0].GetString().ShouldBe("END");
        root.GetProperty("service_tier").GetString().ShouldBe("flex");
        root.GetProperty("reasoning_effort").GetString().ShouldBe("low");
    }

    [Test]
    public async Task Json_schema_output_is_requested()
    {
        var handler = new StubHandler().Json(Stub.GroqCompletion("{}"));
        using var session = Stub.Session("groq", handler);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement;
        await session.CreateChatClient("openai/gpt-oss-20b").CompleteAsync("Where?", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "place") });
        using var body = JsonDocument.Parse(handler.Requests.Single().Body!);
        var format = body.RootElement.GetProperty("response_format");
        format.GetProperty("type").GetString().ShouldBe("json_schema");
        format.GetProperty("json_schema").GetProperty("name").GetString().ShouldBe("place");
    }

    [TestCase("n", 2)]
    [TestCase("top_k", 40)]
    [TestCase("service_tier", "turbo")]
    public async Task Unsupported_groq_options_are_refused_before_sending(string name, object value)
    {
        var handler = new StubHandler();
        using var session = Stub.Session("groq", handler);
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("llama-3.1-8b-instant")
            .CompleteAsync("hi", new ChatOptions { AdditionalProperties = new() { [name] = value } }));
        error.ErrorKey.ShouldBe(ErrorKeys.UnsupportedParameter);
        error.Message.ShouldContain(name);
        handler.Requests.ShouldBeEmpty();
    }

    [Test]
    public async Task Together_specific_options_pass_through()
    {
        var handler = new StubHandler().Json(Stub.TogetherCompletion("stop"));
        using var session = Stub.Session("together", handler, Stub.TogetherKey);
        await session.CreateChatClient("m").CompleteAsync("hi", new ChatOptions { AdditionalProperties = new() { ["top_k"] = 40, ["repetition_penalty"] = 1.1 } });
        using var body = JsonDocument.Parse(handler.Requests.Single().Body!);
        body.RootElement.GetProperty("top_k").GetInt32().ShouldBe(40);
        body.RootElement.GetProperty("repetition_penalty").GetDouble().ShouldBe(1.1);
    }

    [Test]
    public async Task Streaming_yields_text_usage_groq_id_and_timings()
    {
        using var session = Stub.Session("groq", new StubHandler().Sse(Stub.GroqStream(), ("x-request-id", "req_h_02")));
        var stream = session.CreateChatClient("llama-3.1-8b-instant").Stream("hi");
        var texts = new List<string>();
        await foreach (var update in stream) texts.Add(update.Text);
        var result = stream.Result;
        string.Concat(texts).ShouldBe("Hello");
        result.Text.ShouldBe("Hello");
        result.FinishReason.ShouldBe("stop");
        result.Usage!.OutputTokens.ShouldBe(2);
        result.Usage.ProviderTimings!.CompletionTime!.Value.TotalMilliseconds.ShouldBe(4, 1e-6);
        result.ProviderResponseId.ShouldBe("req_stream_01");
        result.RequestId.ShouldBe("req_h_02");
        result.TimeToFirstToken.ShouldNotBeNull();
        result.StreamedChunks.ShouldBeGreaterThanOrEqualTo(3);
    }

    [Test]
    public async Task Streamed_eos_is_normalised()
    {
        var sse = Stub.Chunk("Hi") + Stub.Chunk("", "eos") + "data: [DONE]\n\n";
        using var session = Stub.Session("together", new StubHandler().Sse(sse), Stub.TogetherKey);
        var result = await session.CreateChatClient("m").Stream("hi").CollectAsync();
        result.FinishReason.ShouldBe("stop");
        result.RawFinishReason.ShouldBe("eos");
    }

    [Test]
    public async Task A_stream_that_ends_without_done_is_interrupted_not_a_shorter_success()
    {
        var truncated = Stub.Chunk("Hel") + Stub.Chunk("lo");
        using var session = Stub.Session("groq", new StubHandler().Sse(truncated));
        var stream = session.CreateChatClient("llama-3.1-8b-instant").Stream("hi");
        var received = new List<string>();
        var error = await Should.ThrowAsync<ProviderException>(async () => { await foreach (var u in stream) received.Add(u.Text); });
        error.ErrorKey.ShouldBe(ErrorKeys.StreamInterrupted);
        error.ProviderId.ShouldBe("groq");
        Should.Throw<InvalidOperationException>(() => stream.Result);
    }

    [TestCase(HttpStatusCode.Unauthorized, """{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}""", ErrorKeys.Authentication)]
    [TestCase(HttpStatusCode.NotFound, """{"error":{"message":"The model `nope` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}""", ErrorKeys.ModelNotFound)]
    [TestCase(HttpStatusCode.ServiceUnavailable, """{"error":{"message":"over capacity","type":"server_error"}}""", ErrorKeys.Overloaded)]
    [TestCase(HttpStatusCode.InternalServerError, """{"error":{"message":"internal","type":"server_error"}}""", ErrorKeys.ServerError)]
    public async Task Http_errors_surface_as_keyed_exceptions_with_request_id(HttpStatusCode status, string body, string key)
    {
        using var session = Stub.Session("groq", new StubHandler().Json(body, status, ("x-request-id", "req_err_01")));
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("nope").CompleteAsync("hi"));
        error.ErrorKey.ShouldBe(key);
        error.HttpStatus.ShouldBe((int)status);
        error.RequestId.ShouldBe("req_err_01");
        error.Model.ShouldBe("nope");
        error.Attempts.ShouldHaveSingleItem().Outcome.ShouldBe(key);
    }

    [Test]
    public async Task Streaming_http_error_is_keyed_too()
    {
        using var session = Stub.Session("groq", new StubHandler().Json("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", HttpStatusCode.TooManyRequests, ("retry-after", "2")));
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.RateLimited);
        error.RateLimit!.RetryAfter.ShouldBe(TimeSpan.FromSeconds(2));
        error.RateLimit.LimitedBy.ShouldBe("requests");
    }

    [Test]
    public async Task Connection_failure_and_malformed_json_are_classified()
    {
        using (var session = Stub.Session("groq", new StubHandler().Throw(new HttpRequestException("Connection refused"))))
            (await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"))).ErrorKey.ShouldBe(ErrorKeys.ConnectionFailed);
        using (var session = Stub.Session("groq", new StubHandler().Json("{\"id\": oops")))
            (await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"))).ErrorKey.ShouldBe(ErrorKeys.MalformedResponse);
    }

    [Test]
    public async Task Errors_and_session_text_never_contain_the_key()
    {
        const string key = "gsk_secret_zz99";
        using var session = Stub.Session("groq", new StubHandler().Json("""{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}""", HttpStatusCode.Unauthorized), key);
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"));
        error.Message.ShouldNotContain(key);
        error.ToString().ShouldNotContain(key);
        session.ToString().ShouldNotContain(key);
        session.ToString().ShouldContain("gsk_…zz99");
    }

    [Test]
    public void Base_url_precedence_is_option_then_env_var_then_registry()
    {
        var env = Stub.EmptyEnvironment() with { GetEnvironmentVariable = name => name == "GROQ_BASE_URL" ? "http://127.0.0.1:7/openai/v1" : null };
        using (var fromEnv = ProviderSession.Open("groq", new ProviderSessionOptions { Environment = env }))
        {
            fromEnv.BaseUrl.ShouldBe(new Uri("http://127.0.0.1:7/openai/v1"));
            fromEnv.BaseUrlSource.ShouldBe(BaseUrlSource.EnvironmentVariable);
        }
        using (var fromOption = ProviderSession.Open("groq", new ProviderSessionOptions { Environment = env, BaseUrl = new Uri("http://127.0.0.1:8/x") }))
            fromOption.BaseUrlSource.ShouldBe(BaseUrlSource.SessionOption);
        using (var fromRegistry = ProviderSession.Open("groq", new ProviderSessionOptions { Environment = Stub.EmptyEnvironment() }))
            fromRegistry.BaseUrl.ShouldBe(new Uri("https://api.groq.com/openai/v1"));
        var bad = env with { GetEnvironmentVariable = name => name == "GROQ_BASE_URL" ? "not a url" : null };
        Should.Throw<ArgumentException>(() => ProviderSession.Open("groq", new ProviderSessionOptions { Environment = bad })).Message.ShouldContain("GROQ_BASE_URL");
    }

    [Test]
    public void Chat_client_without_any_key_is_a_missing_credential_error()
    {
        using var session = ProviderSession.Open("together", new ProviderSessionOptions { Environment = Stub.EmptyEnvironment() });
        Should.Throw<Credentials.MissingCredentialException>(() => session.CreateChatClient("m")).Message.ShouldContain("TOGETHER_API_KEY");
    }
}

public class ResilienceTests
{
    private static readonly ResilienceOptions FastRetries = new() { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), UseJitter = false };

    [Test]
    public async Task Retry_honours_retry_after_and_counts_attempts()
    {
        var handler = new StubHandler()
            .Json("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", HttpStatusCode.TooManyRequests, ("retry-after", "0.02"))
            .Json("""{"error":{"message":"busy"}}""", HttpStatusCode.ServiceUnavailable)
            .Json(Stub.GroqCompletion());
        using var session = Stub.Session("groq", handler, resilience: FastRetries);
        var result = await session.CreateChatClient("m").CompleteAsync("hi");
        result.Text.ShouldBe("Hello!");
        result.Attempts.Select(a => a.Outcome).ShouldBe([ErrorKeys.RateLimited, ErrorKeys.Overloaded, AttemptRecord.Success]);
        result.Attempts[0].DelayBeforeNext.ShouldBe(TimeSpan.FromMilliseconds(20));
        handler.Requests.Count.ShouldBe(3);
    }

    [Test]
    public async Task Non_retryable_errors_are_not_retried()
    {
        var handler = new StubHandler().Json("""{"error":{"message":"Invalid API Key"}}""", HttpStatusCode.Unauthorized).Json(Stub.GroqCompletion());
        using var session = Stub.Session("groq", handler, resilience: FastRetries);
        (await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"))).Attempts.Count.ShouldBe(1);
        handler.Requests.Count.ShouldBe(1);
    }

    [Test]
    public async Task A_retry_after_beyond_the_cap_fails_at_once()
    {
        var handler = new StubHandler().Json("""{"error":{"message":"slow"}}""", HttpStatusCode.TooManyRequests, ("retry-after", "120"));
        using var session = Stub.Session("groq", handler, resilience: FastRetries with { MaxRetryAfter = TimeSpan.FromSeconds(5) });
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"));
        error.ErrorKey.ShouldBe(ErrorKeys.RateLimited);
        error.Attempts.Count.ShouldBe(1);
    }

    [Test]
    public async Task Streams_are_retried_before_the_first_chunk()
    {
        var handler = new StubHandler().Json("""{"error":{"message":"busy"}}""", HttpStatusCode.ServiceUnavailable).Sse(Stub.GroqStream());
        using var session = Stub.Session("groq", handler, resilience: FastRetries);
        var result = await session.CreateChatClient("m").Stream("hi").CollectAsync();
        result.Text.ShouldBe("Hello");
        result.Attempts.Count.ShouldBe(2);
    }

    [Test]
    public async Task Fallback_chain_reports_who_answered_and_why_others_did_not()
    {
        using var groq = Stub.Session("groq", new StubHandler().Json("""{"error":{"message":"over capacity"}}""", HttpStatusCode.ServiceUnavailable));
        using var together = Stub.Session("together", new StubHandler().Json(Stub.TogetherCompletion()), Stub.TogetherKey);
        var chain = new ProviderFallbackChain([groq.CreateChatClient("llama-3.1-8b-instant"), together.CreateChatClient("meta-llama/Llama-3.3-70B-Instruct-Turbo")]);
        var answer = await chain.CompleteAsync([new ChatMessage(ChatRole.User, "hi")]);
        answer.AnsweringProvider.ShouldBe("together_ai");
        answer.Steps.Count.ShouldBe(2);
        answer.Steps[0].ProviderId.ShouldBe("groq");
        answer.Steps[0].Outcome.ShouldBe(ErrorKeys.Overloaded);
        answer.Steps[1].Answered.ShouldBeTrue();
    }

    [Test]
    public async Task Fallback_chain_stops_on_a_non_retryable_error()
    {
        using var groq = Stub.Session("groq", new StubHandler().Json("""{"error":{"message":"bad request"}}""", HttpStatusCode.BadRequest));
        var togetherHandler = new StubHandler().Json(Stub.TogetherCompletion());
        using var together = Stub.Session("together", togetherHandler, Stub.TogetherKey);
        var chain = new ProviderFallbackChain([groq.CreateChatClient("m"), together.CreateChatClient("m")]);
        (await Should.ThrowAsync<ProviderException>(() => chain.CompleteAsync([new ChatMessage(ChatRole.User, "hi")]))).ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        togetherHandler.Requests.ShouldBeEmpty();
    }
}
