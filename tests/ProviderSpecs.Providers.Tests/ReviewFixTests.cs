using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Tests;

/// <summary>Regression tests for the defects found in review of the provider layer.</summary>
public class ReviewFixTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-01-01T00:00:00Z");

    private static ProviderSession Session(HttpMessageHandler handler, ResilienceOptions resilience, TimeProvider time, string provider = "groq") =>
        ProviderSession.Open(provider, new ProviderSessionOptions
        {
            ApiKey = provider == "groq" ? Stub.GroqKey : Stub.TogetherKey,
            BaseUrl = new Uri(provider == "groq" ? "http://127.0.0.1:9/openai/v1" : "http://127.0.0.1:9/v1"),
            HttpClient = new HttpClient(handler), Environment = Stub.EmptyEnvironment(), Resilience = resilience, TimeProvider = time,
        });

    /// <summary>Awaits (in real time, bounded) a condition another task brings about; fails the test if it never holds.</summary>
    private static async Task Eventually(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1000 && !condition(); i++) await Task.Delay(5);
        condition().ShouldBeTrue(what);
    }

    // 1. Together's eos with JSON whitespace around the colon.
    [TestCase("\"finish_reason\": \"eos\"")]
    [TestCase("\"finish_reason\" :\n\t\"eos\"")]
    public async Task Spaced_eos_in_a_reply_becomes_stop(string spaced)
    {
        var handler = new StubHandler().Json(Stub.TogetherCompletion().Replace("\"finish_reason\":\"eos\"", spaced));
        using var session = Stub.Session("together_ai", handler, Stub.TogetherKey);
        var result = await session.CreateChatClient("m").CompleteAsync("hi");
        result.FinishReason.ShouldBe("stop");
        result.RawFinishReason.ShouldBe("eos");
        result.Text.ShouldBe("Hi there");
    }

    [Test]
    public async Task Spaced_eos_in_a_stream_becomes_stop()
    {
        var body = Stub.Chunk("Hi") + Stub.Chunk("", "eos").Replace("\"finish_reason\":\"eos\"", "\"finish_reason\": \"eos\"") + "data: [DONE]\n\n";
        using var session = Stub.Session("together_ai", new StubHandler().Sse(body), Stub.TogetherKey);
        var result = await session.CreateChatClient("m").Stream("hi").CollectAsync();
        result.FinishReason.ShouldBe("stop");
        result.RawFinishReason.ShouldBe("eos");
        result.Text.ShouldBe("Hi");
    }

    [Test]
    public void The_finish_reason_rewrite_touches_only_finish_reason_values()
    {
        Encoding.UTF8.GetString(WireJson.ReplaceForeignFinishReasons("""{"a":"eos","finish_reason" : "eos","b":{"finish_reason":"eos"}}"""u8)!)
            .ShouldBe("""{"a":"eos","finish_reason" : "stop","b":{"finish_reason":"stop"}}""");
        Encoding.UTF8.GetString(WireJson.ReplaceForeignFinishReasons("""{"model_length":1,"finish_reason":"model_length","c":[{"finish_reason": "eos"}]}"""u8)!)
            .ShouldBe("""{"model_length":1,"finish_reason":"stop","c":[{"finish_reason": "stop"}]}""");
        Encoding.UTF8.GetString(WireJson.ReplaceForeignFinishReasons("""{"finish_reason": "eos_token","content":"finish_reason eos"}"""u8)!)
            .ShouldBe("""{"finish_reason": "stop","content":"finish_reason eos"}""");
        WireJson.ReplaceForeignFinishReasons("""{"finish_reason":"length","content":"finish_reason eos"}"""u8).ShouldBeNull();
        WireJson.ReplaceForeignFinishReasons("""{"finish_reason":null}"""u8).ShouldBeNull();
    }

    // 2. Garbage content is malformed-response, before or after the stream started.
    [Test]
    public async Task A_garbage_chunk_mid_stream_is_malformed_response()
    {
        var body = Stub.Chunk("Hi") + "data: this is not json\n\n" + Stub.Chunk("", "stop") + "data: [DONE]\n\n";
        using var session = Stub.Session("groq", new StubHandler().Sse(body));
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.MalformedResponse);
    }

    [Test]
    public async Task A_garbage_first_chunk_is_malformed_response()
    {
        var body = "data: this is not json\n\n" + Stub.Chunk("", "stop") + "data: [DONE]\n\n";
        using var session = Stub.Session("groq", new StubHandler().Sse(body));
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync());
        error.ErrorKey.ShouldBe(ErrorKeys.MalformedResponse);
    }

    [Test]
    public void An_io_failure_after_the_stream_started_is_still_stream_interrupted()
    {
        var groq = Registry.ProviderRegistry.Default.Resolve("groq");
        ErrorMapper.FromException(new IOException("reset"), groq, "m", streamStarted: true).ErrorKey.ShouldBe(ErrorKeys.StreamInterrupted);
        ErrorMapper.FromException(new System.Text.Json.JsonException("bad"), groq, "m", streamStarted: true).ErrorKey.ShouldBe(ErrorKeys.MalformedResponse);
    }

    // 3. A snapshot fallback is cached briefly, then the live list is tried again.
    [Test]
    public async Task A_catalog_fallback_expires_after_the_fallback_ttl()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new StubHandler()
            .Json("""{"error":{"message":"down","type":"server_error"}}""", HttpStatusCode.ServiceUnavailable)
            .Json("""{"object":"list","data":[{"id":"llama-3.1-8b-instant","object":"model","created":1,"owned_by":"Meta","active":true,"context_window":131072,"max_completion_tokens":131072}]}""");
        using var session = Session(handler, ResilienceOptions.NoRetries, time);
        session.Catalog.FallbackTimeToLive.ShouldBe(TimeSpan.FromSeconds(30));

        (await session.Catalog.GetModelsAsync()).FellBackToSnapshot.ShouldBeTrue();
        time.Advance(TimeSpan.FromSeconds(29));
        var cached = await session.Catalog.GetModelsAsync();
        (cached.FromCache, cached.FellBackToSnapshot).ShouldBe((true, true));
        handler.Requests.Count.ShouldBe(1);

        time.Advance(TimeSpan.FromSeconds(2));
        var live = await session.Catalog.GetModelsAsync();
        (live.FromCache, live.FellBackToSnapshot).ShouldBe((false, false));
        live.Models.Select(m => m.Id).ShouldContain("llama-3.1-8b-instant");
        time.Advance(TimeSpan.FromMinutes(5));
        (await session.Catalog.GetModelsAsync()).FromCache.ShouldBeTrue("a live list keeps the full TTL");
    }

    // 4. Groq timings keep the exact seconds next to the 100 ns TimeSpan.
    [Test]
    public async Task Groq_timings_expose_the_exact_seconds()
    {
        using var session = Stub.Session("groq", new StubHandler().Json(Stub.GroqCompletion()));
        var timings = (await session.CreateChatClient("m").CompleteAsync("hi")).Usage!.ProviderTimings!;
        timings.QueueSeconds!.Value.ShouldBe(0.037493756, 1e-9);
        timings.PromptSeconds!.Value.ShouldBe(0.000680594, 1e-9);
        timings.CompletionSeconds!.Value.ShouldBe(0.463333333, 1e-9);
        timings.TotalSeconds!.Value.ShouldBe(0.464013927, 1e-9);
        timings.QueueTime!.Value.TotalSeconds.ShouldBe(0.037493756, 1e-7);
    }

    // 5. Timeouts run on the session's TimeProvider.
    [Test]
    public async Task The_first_token_timeout_fires_on_the_fake_clock()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new BlockingHandler();
        using var session = Session(handler, new ResilienceOptions { MaxRetries = 0, FirstTokenTimeout = TimeSpan.FromSeconds(20) }, time);
        var call = session.CreateChatClient("m").CompleteAsync("hi");
        await handler.Entered.Task;
        time.Advance(TimeSpan.FromSeconds(19));
        call.IsCompleted.ShouldBeFalse("19 of 20 fake seconds have passed");
        time.Advance(TimeSpan.FromSeconds(1));
        var error = await Should.ThrowAsync<ProviderException>(() => call);
        error.ErrorKey.ShouldBe(ErrorKeys.Timeout);
        error.Message.ShouldContain("first-token");
    }

    [Test]
    public async Task The_total_timeout_cuts_a_stalled_stream_on_the_fake_clock()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new StallingStreamHandler(Stub.Chunk("Hel"));
        using var session = Session(handler, new ResilienceOptions { MaxRetries = 0, TotalTimeout = TimeSpan.FromSeconds(30) }, time);
        await using var updates = session.CreateChatClient("m").Stream("hi").GetAsyncEnumerator();
        (await updates.MoveNextAsync()).ShouldBeTrue();
        updates.Current.Text.ShouldBe("Hel");
        var next = updates.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(30));
        var error = await Should.ThrowAsync<ProviderException>(() => next);
        error.ErrorKey.ShouldBe(ErrorKeys.Timeout);
        error.Message.ShouldContain("total timeout");
    }

    // 6. A call waiting out Retry-After holds no concurrency permit.
    [Test]
    public async Task A_retry_waiting_out_retry_after_does_not_block_other_callers()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new StubHandler()
            .Json("""{"error":{"message":"Rate limit reached","type":"requests"}}""", HttpStatusCode.TooManyRequests, ("retry-after", "5"))
            .Json(Stub.GroqCompletion("second caller"))
            .Json(Stub.GroqCompletion("first caller"));
        using var session = Session(handler, new ResilienceOptions
        {
            MaxRetries = 1, UseJitter = false, MaxConcurrency = 1, MaxQueuedCalls = 0, TotalTimeout = TimeSpan.FromHours(1),
        }, time);
        var client = session.CreateChatClient("m");

        var first = client.CompleteAsync("one");
        await Eventually(() => handler.Requests.Count == 1 && session.Resilience.AvailablePermits == 1,
            "the first caller's permit should be free while it waits out Retry-After");
        first.IsCompleted.ShouldBeFalse();

        // With MaxQueuedCalls = 0 this would be refused as overloaded if the sleeping retry still held the permit.
        (await client.CompleteAsync("two")).Text.ShouldBe("second caller");

        for (var i = 0; i < 200 && !first.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(5);
        }
        var result = await first;
        result.Text.ShouldBe("first caller");
        result.Attempts.Select(a => a.Outcome).ShouldBe([ErrorKeys.RateLimited, AttemptRecord.Success]);
        result.Attempts[0].DelayBeforeNext.ShouldBe(TimeSpan.FromSeconds(5));
    }

    // 7. /models gives up after the catalog timeout even with the session's infinite HttpClient timeout.
    [Test]
    public async Task A_hung_models_fetch_falls_back_after_the_catalog_timeout()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new BlockingHandler();
        using var session = ProviderSession.Open("groq", new ProviderSessionOptions
        {
            ApiKey = Stub.GroqKey, BaseUrl = new Uri("http://127.0.0.1:9/openai/v1"), HttpClient = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan },
            Environment = Stub.EmptyEnvironment(), TimeProvider = time, CatalogTimeout = TimeSpan.FromSeconds(10),
        });
        var listing = session.Catalog.GetModelsAsync();
        await handler.Entered.Task;
        listing.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(10));
        var result = await listing;
        result.FellBackToSnapshot.ShouldBeTrue();
        result.FallbackReason!.ShouldStartWith(ErrorKeys.Timeout);
        result.Models.ShouldNotBeEmpty();
    }

    // 8. A Retry-After above the cap fails fast and says why.
    [Test]
    public async Task A_retry_after_above_the_cap_fails_fast_and_names_the_option()
    {
        var handler = new StubHandler().Json("""{"error":{"message":"slow down"}}""", HttpStatusCode.TooManyRequests, ("retry-after", "45"));
        using var session = Stub.Session("groq", handler, resilience: new ResilienceOptions { MaxRetries = 2, MaxRetryAfter = TimeSpan.FromSeconds(30) });
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"));
        error.ErrorKey.ShouldBe(ErrorKeys.RateLimited);
        error.RateLimit!.RetryAfter.ShouldBe(TimeSpan.FromSeconds(45));
        error.Message.ShouldContain("retry after 45 s, longer than the configured cap of 30 s");
        error.Message.ShouldContain("raise ResilienceOptions.MaxRetryAfter to wait");
        error.Attempts.Count.ShouldBe(1);
        handler.Requests.Count.ShouldBe(1);
    }

    [Test]
    public async Task Without_retries_the_cap_is_not_mentioned()
    {
        var handler = new StubHandler().Json("""{"error":{"message":"slow down"}}""", HttpStatusCode.TooManyRequests, ("retry-after", "45"));
        using var session = Stub.Session("groq", handler, resilience: ResilienceOptions.NoRetries);
        var error = await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi"));
        error.ErrorKey.ShouldBe(ErrorKeys.RateLimited);
        error.Message.ShouldNotContain("MaxRetryAfter");
    }
}

/// <summary>Serves an SSE prefix, then never sends another byte until the read is cancelled.</summary>
internal sealed class StallingStreamHandler(string prefix) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new StallingStream(Encoding.UTF8.GetBytes(prefix))) { Headers = { ContentType = new("text/event-stream") } },
        });

    private sealed class StallingStream(byte[] prefix) : MemoryStream(prefix)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            if (read > 0) return read;
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }
}
