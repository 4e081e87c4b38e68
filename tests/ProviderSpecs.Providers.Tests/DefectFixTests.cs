using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Tests;

/// <summary>Regression tests for the defects found by the feature authors (one region per defect).</summary>
public class DefectFixTests
{
    private static readonly ResilienceOptions FastRetries = new() { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), UseJitter = false };

    /// <summary>What the simulator's malformed-json fault sends, to a streaming request too.</summary>
    private const string CutOffJson = """{"id":"chatcmpl-sim-1","object":"chat.completion","model":"llama-3.1-8b-instant","choices":[{"index":0,"message":{"role":"assis""";

    // 1. A 200 to a streaming request that is not an event stream is malformed-response, not stream-interrupted.

    [Test]
    public async Task A_json_body_answering_a_stream_is_malformed_response_saying_what_arrived()
    {
        var handler = new StubHandler().Raw(CutOffJson, "application/json", HttpStatusCode.OK, ("x-request-id", "req_json_01"));
        using var session = Stub.Session("groq", handler, resilience: FastRetries);
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("llama-3.1-8b-instant").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.MalformedResponse);
        error.Message.ShouldContain("application/json");
        error.Message.ShouldContain("text/event-stream");
        error.Message.ShouldContain("\"object\":\"chat.completion\"");
        error.Message.ShouldNotContain("without [DONE]");
        error.ProviderId.ShouldBe("groq");
        error.RequestId.ShouldBe("req_json_01");
        error.Attempts.ShouldHaveSingleItem().Outcome.ShouldBe(ErrorKeys.MalformedResponse);
        handler.Requests.Count.ShouldBe(1, "malformed-response is not retried");
    }

    [Test]
    public async Task A_non_sse_body_labelled_as_an_event_stream_is_malformed_response_too()
    {
        using var session = Stub.Session("groq", new StubHandler().Sse(CutOffJson));
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.MalformedResponse);
        error.Message.ShouldContain("{\"id\":\"chatcmpl-sim-1\"");
    }

    [Test]
    public async Task An_html_page_answering_a_stream_is_quoted_but_an_echoed_key_is_not()
    {
        var body = $"<html><body>Bad gateway for Bearer {Stub.GroqKey}</body></html>";
        using var session = Stub.Session("groq", new StubHandler().Raw(body, "text/html"));
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.MalformedResponse, error.ToString());
        error.Message.ShouldContain("text/html");
        error.Message.ShouldContain("<html><body>Bad gateway");
        error.Message.ShouldNotContain(Stub.GroqKey);
        error.ToString().ShouldNotContain(Stub.GroqKey);
    }

    [Test]
    public async Task A_stream_with_comments_and_event_fields_before_data_is_still_a_stream()
    {
        var sse = ": keep-alive\n\nevent: message\n" + Stub.Chunk("Hi") + "data: [DONE]\n\n";
        using var session = Stub.Session("groq", new StubHandler().Sse(sse));
        var result = await session.CreateChatClient("m").Stream("hi").CollectAsync();
        result.Text.ShouldBe("Hi");
    }

    [Test]
    public async Task A_stream_that_started_and_broke_off_stays_stream_interrupted_with_the_request_id()
    {
        var handler = new StubHandler().Sse(Stub.Chunk("Hel") + Stub.Chunk("lo"), ("x-together-traceid", "trace_cut_01"));
        using var session = Stub.Session("together", handler, Stub.TogetherKey);
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.StreamInterrupted);
        error.Message.ShouldContain("after 2 events");
        error.RequestId.ShouldBe("trace_cut_01");
    }

    // 2. Nothing to answer: refused before sending.

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("\n\t ")]
    public async Task An_empty_prompt_is_a_bad_request_and_nothing_is_sent(string prompt)
    {
        var handler = new StubHandler().Json(Stub.GroqCompletion()).Sse(Stub.GroqStream());
        using var session = Stub.Session("groq", handler);
        var chat = session.CreateChatClient("llama-3.1-8b-instant");

        var error = await Should.ThrowAsync<ProviderException>(() => chat.CompleteAsync(prompt));
        error.ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        error.Message.ShouldStartWith("The prompt is empty:");
        error.Message.ShouldContain("give the model a message with text");
        error.ProviderId.ShouldBe("groq");
        error.Model.ShouldBe("llama-3.1-8b-instant");

        (await Should.ThrowAsync<ProviderException>(() => chat.Stream(prompt).CollectAsync())).ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        handler.Requests.ShouldBeEmpty();
    }

    [Test]
    public async Task An_empty_message_list_or_one_without_content_is_a_bad_request_and_nothing_is_sent()
    {
        var handler = new StubHandler().Json(Stub.GroqCompletion());
        using var session = Stub.Session("groq", handler);
        var chat = session.CreateChatClient("m");

        var empty = await Should.ThrowAsync<ProviderException>(() => chat.CompleteAsync(Array.Empty<ChatMessage>()));
        empty.ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        empty.Message.ShouldContain("message list is empty");

        ChatMessage[] blank = [new(ChatRole.System, " "), new(ChatRole.User, ""), new(ChatRole.User, [new TextContent("\n")])];
        var none = await Should.ThrowAsync<ProviderException>(() => chat.CompleteAsync(blank));
        none.ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        none.Message.ShouldContain("None of the 3 messages");
        (await Should.ThrowAsync<ProviderException>(() => chat.Stream(blank).CollectAsync())).ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        (await Should.ThrowAsync<ProviderException>(() => ((IChatClient)chat).GetResponseAsync(blank))).ErrorKey.ShouldBe(ErrorKeys.BadRequest);
        handler.Requests.ShouldBeEmpty();

        // One message with text is enough, even beside an empty one.
        var result = await chat.CompleteAsync([new ChatMessage(ChatRole.System, ""), new ChatMessage(ChatRole.User, "hi")]);
        result.Text.ShouldBe("Hello!");
        handler.Requests.Count.ShouldBe(1);
    }

    // 3. Snapshot facts.

    [TestCase("groq", "openai/gpt-oss-120b")]
    [TestCase("groq", "openai/gpt-oss-20b")]
    [TestCase("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo")]
    [TestCase("together_ai", "Qwen/Qwen3-235B-A22B-Instruct-2507-tput")]
    [TestCase("together_ai", "openai/gpt-oss-120b")]
    public void Structured_output_models_say_so_in_the_snapshot(string provider, string model)
    {
        var info = ModelSnapshot.Default.Find(provider, model).ShouldNotBeNull();
        info.Capabilities.JsonSchema.ShouldBe(true);
        info.Capabilities.JsonMode.ShouldBe(true);
    }

    [Test]
    public void Every_model_the_together_simulator_serves_is_in_the_snapshot_with_the_same_kind_and_context()
    {
        using var catalog = JsonDocument.Parse(File.ReadAllText(RepoFile("fixtures/simulators/together-models.json")));
        var served = catalog.RootElement.GetProperty("models").EnumerateArray().ToList();
        served.Count.ShouldBeGreaterThanOrEqualTo(15);
        foreach (var model in served)
        {
            var id = model.GetProperty("id").GetString()!;
            var info = ModelSnapshot.Default.Find("together_ai", id);
            info.ShouldNotBeNull($"the snapshot has no entry for {id}");
            var kind = JsonSerializer.Deserialize<ModelKind>($"\"{model.GetProperty("type").GetString()}\"");
            info.Kind.ShouldBe(kind, id);
            var context = model.GetProperty("context_length").GetInt32();
            info.ContextWindow.ShouldBe(context == 0 ? null : context, id);
        }
        ModelSnapshot.Default.Find("together_ai", "BAAI/bge-large-en-v1.5")!.InputPricePerMillionTokens.ShouldBe(0.02m);
        ModelSnapshot.Default.Find("together_ai", "black-forest-labs/FLUX.1-schnell")!.InputPricePerMillionTokens.ShouldBeNull("images are billed per megapixel");
    }

    [Test]
    public void Fine_tunable_is_fed_from_the_snapshot_only_where_documented()
    {
        ModelSnapshot.Default.Find("together_ai", "openai/gpt-oss-20b")!.Capabilities.Get(ModelCapability.FineTuning).ShouldBe(true);
        var big = ModelSnapshot.Default.Find("together_ai", "openai/gpt-oss-120b")!;
        big.Capabilities.FineTunable.ShouldBe(true);
        big.Provenance["capabilities.fineTunable"].ShouldBe(FieldSource.Snapshot);
        ModelSnapshot.Default.Find("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo")!.Capabilities.FineTunable.ShouldBeNull();
        ModelSnapshot.Default.Find("groq", "openai/gpt-oss-120b")!.Capabilities.FineTunable.ShouldBeNull();
    }

    // 4. Together's x-together-traceid is the request id when x-request-id is absent.

    [Test]
    public async Task Together_trace_id_is_the_request_id_when_x_request_id_is_absent()
    {
        var handler = new StubHandler()
            .Json(Stub.TogetherCompletion(), HttpStatusCode.OK, ("x-together-traceid", "trace_ok_01"))
            .Sse(Stub.Chunk("Hi") + Stub.Chunk("", "eos") + "data: [DONE]\n\n", ("x-together-traceid", "trace_stream_01"))
            .Json("""{"error":{"message":"Invalid API key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""",
                HttpStatusCode.Unauthorized, ("x-together-traceid", "trace_err_01"))
            .Json(Stub.TogetherCompletion(), HttpStatusCode.OK, ("x-request-id", "req_both_01"), ("x-together-traceid", "trace_both_01"));
        using var session = Stub.Session("together", handler, Stub.TogetherKey);
        var chat = session.CreateChatClient("meta-llama/Llama-3.3-70B-Instruct-Turbo");
        (await chat.CompleteAsync("hi")).RequestId.ShouldBe("trace_ok_01");
        (await chat.Stream("hi").CollectAsync()).RequestId.ShouldBe("trace_stream_01");
        (await Should.ThrowAsync<ProviderException>(() => chat.CompleteAsync("hi"))).RequestId.ShouldBe("trace_err_01");
        (await chat.CompleteAsync("hi")).RequestId.ShouldBe("req_both_01", "x-request-id wins when both are sent");
    }

    // 5. Fallback chain: MoveOnFor.

    [Test]
    public void Fallback_chain_moves_on_for_retryable_keys_by_default()
    {
        using var groq = Stub.Session("groq", new StubHandler());
        var chain = new ProviderFallbackChain([groq.CreateChatClient("m")]);
        chain.MoveOnFor.ShouldBe(ErrorKeys.Retryable);
        ErrorKeys.All.Where(ErrorKeys.IsRetryable).Order().ShouldBe(ErrorKeys.Retryable.Order());
        Should.Throw<ArgumentNullException>(() => new ProviderFallbackChain([groq.CreateChatClient("m")]) { MoveOnFor = null! });
    }

    [Test]
    public async Task Fallback_chain_still_stops_on_model_not_found_by_default()
    {
        using var groq = Stub.Session("groq", new StubHandler().Json(ModelNotFound("llama-x"), HttpStatusCode.NotFound));
        var togetherHandler = new StubHandler().Json(Stub.TogetherCompletion());
        using var together = Stub.Session("together", togetherHandler, Stub.TogetherKey);
        var chain = new ProviderFallbackChain([groq.CreateChatClient("llama-x"), together.CreateChatClient("meta-llama/Llama-3.3-70B-Instruct-Turbo")]);
        (await Should.ThrowAsync<ProviderException>(() => chain.CompleteAsync([new ChatMessage(ChatRole.User, "hi")]))).ErrorKey.ShouldBe(ErrorKeys.ModelNotFound);
        togetherHandler.Requests.ShouldBeEmpty();
    }

    [Test]
    public async Task Fallback_chain_moves_on_for_model_not_found_and_authentication_when_asked()
    {
        using var groq = Stub.Session("groq", new StubHandler().Json(ModelNotFound("llama-x"), HttpStatusCode.NotFound));
        using var together = Stub.Session("together", new StubHandler().Json("""{"error":{"message":"Invalid API key","type":"invalid_request_error"}}""", HttpStatusCode.Unauthorized), Stub.TogetherKey);
        var thirdHandler = new StubHandler().Json(Stub.GroqCompletion());
        using var third = Stub.Session("groq", thirdHandler);
        var moveOn = new HashSet<string>(ErrorKeys.Retryable) { ErrorKeys.ModelNotFound, ErrorKeys.Authentication };
        var chain = new ProviderFallbackChain([groq.CreateChatClient("llama-x"), together.CreateChatClient("m"), third.CreateChatClient("llama-3.1-8b-instant")])
        {
            MoveOnFor = moveOn,
        };
        var answer = await chain.CompleteAsync([new ChatMessage(ChatRole.User, "hi")]);
        answer.Result.Text.ShouldBe("Hello!");
        answer.Steps.Select(s => s.Outcome).ShouldBe([ErrorKeys.ModelNotFound, ErrorKeys.Authentication, "success"]);
        thirdHandler.Requests.Count.ShouldBe(1);
    }

    [Test]
    public async Task Fallback_chain_with_move_on_keys_still_stops_on_other_keys_and_reports_when_all_fail()
    {
        var moveOn = new HashSet<string>(ErrorKeys.Retryable) { ErrorKeys.ModelNotFound };
        using (var groq = Stub.Session("groq", new StubHandler().Json("""{"error":{"message":"bad"}}""", HttpStatusCode.BadRequest)))
        {
            var nextHandler = new StubHandler().Json(Stub.TogetherCompletion());
            using var together = Stub.Session("together", nextHandler, Stub.TogetherKey);
            var chain = new ProviderFallbackChain([groq.CreateChatClient("m"), together.CreateChatClient("m")]) { MoveOnFor = moveOn };
            (await Should.ThrowAsync<ProviderException>(() => chain.CompleteAsync([new ChatMessage(ChatRole.User, "hi")]))).ErrorKey.ShouldBe(ErrorKeys.BadRequest);
            nextHandler.Requests.ShouldBeEmpty();
        }
        using (var groq = Stub.Session("groq", new StubHandler().Json(ModelNotFound("a"), HttpStatusCode.NotFound)))
        using (var together = Stub.Session("together", new StubHandler().Json(ModelNotFound("b"), HttpStatusCode.NotFound), Stub.TogetherKey))
        {
            var chain = new ProviderFallbackChain([groq.CreateChatClient("a"), together.CreateChatClient("b")]) { MoveOnFor = moveOn };
            var all = await Should.ThrowAsync<ProviderFallbackException>(() => chain.CompleteAsync([new ChatMessage(ChatRole.User, "hi")]));
            all.ErrorKey.ShouldBe(ErrorKeys.ModelNotFound);
            all.Steps.Select(s => s.ProviderId).ShouldBe(["groq", "together_ai"]);
        }
    }

    private static string ModelNotFound(string model) =>
        $$$"""{"error":{"message":"The model `{{{model}}}` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}""";

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{relative} was not found above {AppContext.BaseDirectory}.");
    }
}
