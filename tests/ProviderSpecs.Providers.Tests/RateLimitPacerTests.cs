using System.Net;
using Microsoft.Extensions.Time.Testing;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Tests;

/// <summary>The pacer learns limits from what responses say and holds requests until each window has room.</summary>
public sealed class RateLimitPacerTests
{
    private const string Model = "llama-3.1-8b-instant";
    private static readonly ProviderDefinition Groq = ProviderRegistry.Default.Resolve("groq");
    private static readonly ProviderDefinition Together = ProviderRegistry.Default.Resolve("together_ai");

    private const string GroqRpmMessage =
        "Rate limit reached for model `llama-3.1-8b-instant` in organization `org_01x` service tier `on_demand` on requests per minute (RPM): "
        + "Limit 3, Used 3, Requested 1. Please try again in 20s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing";

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Acquires a permit, advancing the fake clock in small steps until it is granted; returns how long it took.</summary>
    private static async Task<TimeSpan> AcquireAsync(RateLimitPacer pacer, FakeTimeProvider clock, ProviderDefinition provider, int tokens = 10)
    {
        var started = clock.GetUtcNow();
        var pending = pacer.For(provider, Model).AcquireAsync(tokens).AsTask();
        for (var i = 0; i < 100_000 && !pending.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }
        using var lease = await pending;
        lease.IsAcquired.ShouldBeTrue();
        return clock.GetUtcNow() - started;
    }

    [Test]
    public async Task A_Groq_429_naming_requests_per_minute_holds_the_model_for_its_retry_after_then_paces_at_the_limit()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        for (var i = 0; i < 3; i++) (await AcquireAsync(pacer, clock, Groq)).ShouldBe(TimeSpan.Zero, "nothing is known yet, so nothing waits");

        pacer.Observe(Groq, Model, 429, Headers(("retry-after", "20")), GroqRpmMessage);

        pacer.LimitsOf("groq", Model).ShouldContain(l => l.Counts == "requests" && l.Limit == 3 && l.Period == TimeSpan.FromMinutes(1));
        pacer.RequestsPerMinute("groq", Model).ShouldBe(3);
        // The three sends before the 429 count: the fourth waits for the first to leave the minute (the 429's 20 s hold is shorter).
        var fourth = await AcquireAsync(pacer, clock, Groq);
        fourth.ShouldBeInRange(TimeSpan.FromSeconds(61), TimeSpan.FromSeconds(61.5), "a minute and the 1.2 s margin (2 % of the window) for the provider's clock");
        pacer.RecordOf("groq", Model).RateLimited.ShouldBe(1);
        pacer.RecordOf("groq", Model).Held.ShouldBe(1);
        pacer.Describe("groq", Model).ShouldContain("3 requests per minute (a 429's message: RPM)");
    }

    [Test]
    public void Declared_limits_apply_to_every_model_of_the_provider_until_the_provider_states_its_own()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T07:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        pacer.Declare("groq:30/minute; together:10/s, groq: 14400 / day");

        pacer.Describe("groq", Model).ShouldBe($"groq {Model}: 30 requests per minute (declared in SPECS_LIVE_ACCOUNT_LIMITS), 14,400 requests per day (declared in SPECS_LIVE_ACCOUNT_LIMITS)");
        pacer.LimitsOf("together_ai", "any/model").Single().Rate.ShouldBe("10 requests per second", "the alias names Together AI");
        pacer.RequestsPerMinute("groq", "qwen/qwen3-32b").ShouldBe(10, "the tightest window, 14,400 a day");
        pacer.LimitsOf("openai", "gpt-4o-mini").ShouldBeEmpty("nothing was declared for it");

        // A 429 naming the minute window replaces the declared one of that window; the day's stays.
        pacer.Observe(Groq, Model, 429, _ => null, GroqRpmMessage);
        pacer.LimitsOf("groq", Model).Select(l => l.ToString()).ShouldBe(
            ["3 requests per minute (a 429's message: RPM)", "14,400 requests per day (declared in SPECS_LIVE_ACCOUNT_LIMITS)"]);
    }

    [TestCase("groq=30/minute", "'groq=30/minute' is not a limit; give provider:requests/period, e.g. groq:30/minute")]
    [TestCase("groq:30/fortnight", "'groq:30/fortnight' is not a limit")]
    [TestCase("groq:0/minute", "'groq:0/minute' allows no request")]
    [TestCase("grok:30/minute", "'grok:30/minute' names no provider")]
    public void A_declaration_that_is_not_one_says_what_is_wrong_and_what_to_give(string declaration, string expected) =>
        Should.Throw<ArgumentException>(() => new RateLimitPacer().Declare(declaration)).Message.ShouldContain($"SPECS_LIVE_ACCOUNT_LIMITS: {expected}");

    [Test]
    public async Task Never_more_than_the_learned_limit_is_sent_in_any_minute()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        pacer.Observe(Groq, Model, 429, Headers(("retry-after", "0")), GroqRpmMessage);
        var sendTimes = new List<DateTimeOffset>();
        for (var i = 0; i < 10; i++)
        {
            await AcquireAsync(pacer, clock, Groq);
            sendTimes.Add(clock.GetUtcNow());
        }
        foreach (var t in sendTimes)
            sendTimes.Count(s => s >= t && s < t + TimeSpan.FromMinutes(1)).ShouldBeLessThanOrEqualTo(3, $"more than 3 requests within the minute from {t:HH:mm:ss}");
        (sendTimes[^1] - sendTimes[0]).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMinutes(3) - TimeSpan.FromSeconds(1), "10 requests at 3 a minute take at least 3 minutes");
    }

    [Test]
    public async Task Together_headers_announce_a_per_second_window_that_paces_requests()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        pacer.Observe(Together, Model, 200, Headers(("x-ratelimit-limit", "2"), ("x-ratelimit-remaining", "1"), ("x-ratelimit-reset", "1"),
            ("x-tokenlimit-limit", "100000"), ("x-tokenlimit-remaining", "99000")));
        pacer.LimitsOf("together_ai", Model).ShouldContain(l => l.Counts == "requests" && l.Limit == 2 && l.Period == TimeSpan.FromSeconds(1));
        (await AcquireAsync(pacer, clock, Together)).ShouldBe(TimeSpan.Zero);
        (await AcquireAsync(pacer, clock, Together)).ShouldBe(TimeSpan.Zero);
        (await AcquireAsync(pacer, clock, Together)).ShouldBeInRange(TimeSpan.FromMilliseconds(1100), TimeSpan.FromMilliseconds(1300), "a second and the 100 ms margin");
    }

    [Test]
    public async Task A_token_window_from_Groq_headers_holds_a_request_that_would_overflow_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        pacer.Observe(Groq, Model, 200, Headers(("x-ratelimit-limit-requests", "14400"), ("x-ratelimit-limit-tokens", "1000"),
            ("x-ratelimit-remaining-requests", "14399"), ("x-ratelimit-remaining-tokens", "990")));
        (await AcquireAsync(pacer, clock, Groq, tokens: 600)).ShouldBe(TimeSpan.Zero);
        (await AcquireAsync(pacer, clock, Groq, tokens: 600)).ShouldBeInRange(TimeSpan.FromSeconds(61), TimeSpan.FromSeconds(61.5),
            "600 + 600 tokens exceed 1,000 per minute, so the second waits for the first to leave the window (plus the margin)");
    }

    [Test]
    public async Task Requests_remaining_zero_holds_until_the_announced_reset()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        pacer.Observe(Together, Model, 200, Headers(("x-ratelimit-limit", "100"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "3")));
        (await AcquireAsync(pacer, clock, Together)).ShouldBeInRange(TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(3.1));
    }

    [Test]
    public async Task After_a_429_the_next_call_to_the_model_waits_out_its_retry_after_instead_of_sending_into_it()
    {
        // A stub Groq: the first completion is refused with a per-minute 429 asking to retry after 1 s, then it answers.
        var stub = new StubHandler()
            .Json("""{"error":{"message":"Rate limit reached for model `llama-3.1-8b-instant` in organization `org_01x` service tier `on_demand` on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in 1s.","type":"requests","code":"rate_limit_exceeded"}}""",
                HttpStatusCode.TooManyRequests, ("retry-after", "1"))
            .Json(Completion, HttpStatusCode.OK, ("x-ratelimit-limit-requests", "14400"), ("x-ratelimit-limit-tokens", "6000"));
        var pacer = new RateLimitPacer();
        await using var session = ProviderSession.Open("groq", new ProviderSessionOptions
        {
            ApiKey = Stub.GroqKey, BaseUrl = new Uri("http://127.0.0.1:9/openai/v1"), HttpClient = new HttpClient(stub),
            Environment = Stub.EmptyEnvironment(), RateLimits = pacer, Resilience = ResilienceOptions.NoRetries,
        });
        var chat = session.CreateChatClient(Model);
        var options = new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 8 };
        var refused = await Should.ThrowAsync<Errors.ProviderException>(() => chat.CompleteAsync("Say hello", options));
        refused.ErrorKey.ShouldBe(Errors.ErrorKeys.RateLimited);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var answer = await chat.CompleteAsync("Say hello", options);

        answer.Text.ShouldBe("Hello!");
        System.Diagnostics.Stopwatch.GetElapsedTime(started).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900), "the call went out before the 429's retry-after had passed");
        stub.Requests.Count.ShouldBe(2);
        pacer.LimitsOf("groq", Model).Select(l => l.Rate).ShouldBe(["30 requests per minute", "6,000 tokens per minute", "14,400 requests per day"], ignoreOrder: true);
        pacer.RecordOf("groq", Model).ShouldBe(new PacingRecord(2, 1, pacer.RecordOf("groq", Model).LongestHold, pacer.RecordOf("groq", Model).TotalHeld, 1));
    }

    private const string Completion =
        """{"id":"chatcmpl-1","object":"chat.completion","created":1730241104,"model":"llama-3.1-8b-instant","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""";

    [Test]
    public void Room_for_a_burst_comes_when_enough_of_the_window_s_sends_have_left_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        pacer.WaitForRoom("groq", Model, 25).ShouldBe(TimeSpan.Zero, "nothing sent, nothing known");
        var limiter = pacer.For(Groq, Model);
        for (var i = 0; i < 3; i++)
        {
            using var lease = limiter.AttemptAcquire(10);
            lease.IsAcquired.ShouldBeTrue();
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        pacer.Observe(Groq, Model, 429, Headers(("retry-after", "20")), GroqRpmMessage); // learns 3 a minute, holds 20 s

        // Sent at 0, 1 and 2 s; now 3 s. One more fits when the first leaves the minute (60 s + the 1.2 s margin) ...
        pacer.WaitForRoom("groq", Model, 1).ShouldBe(TimeSpan.FromSeconds(58.2));
        // ... two more when the second has left too.
        pacer.WaitForRoom("groq", Model, 2).ShouldBe(TimeSpan.FromSeconds(59.2));
        // More than the window ever holds: only the 429's hold counts (the known-limit check refuses such a burst).
        pacer.WaitForRoom("groq", Model, 5).ShouldBe(TimeSpan.FromSeconds(20));
        clock.Advance(TimeSpan.FromMinutes(2));
        pacer.WaitForRoom("groq", Model, 3).ShouldBe(TimeSpan.Zero);
    }
}
