using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// Enforced limits through HTTP, on simulators of their own whose rate-limit clock is fake (moved by hand): the exact
/// 429 bodies and headers of both providers, header values on success, exactness over several minutes, isolation.
/// </summary>
public sealed class EnforcedLimitTests
{
    private const string GroqModel = "llama-3.1-8b-instant";
    private const string TogetherModel = "meta-llama/Llama-3.3-70B-Instruct-Turbo";
    private const string Upgrade = "Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private SimulatedProviders _sims = null!;

    private SimulatedProvider LimitedGroq => _sims[ProviderIds.Groq];
    private SimulatedProvider LimitedTogether => _sims[ProviderIds.TogetherAi];

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _sims = await SimulatedProviders.StartAsync(new SimulatorOptions { TimeScale = 0, TimeProvider = _clock });

    [OneTimeTearDown]
    public async Task StopAsync() => await _sims.DisposeAsync();

    private static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> ChatAsync(SimulatedProvider provider, SimulatorScope scope, string model, int maxTokens = 5)
    {
        var (response, body) = await SendAsync(Post(provider, scope.ApiKey, "/chat/completions", ChatBody(model, extra: $",\"max_completion_tokens\":{maxTokens}")));
        return ((int)response.StatusCode, JsonNode.Parse(body), response);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new ShouldAssertException($"no '{name}' header");

    [Test]
    public async Task Limits_are_off_by_default_the_headers_report_the_catalog_and_nothing_is_refused()
    {
        var scope = Groq.OpenScope("limits off by default");
        for (var i = 0; i < 35; i++) (await ChatAsync(Groq, scope, GroqModel)).Status.ShouldBe(200, $"request {i + 1}: the free plan's 30 RPM is not enforced by default");
        Groq.RateLimits.Enforced.ShouldBeFalse();
        scope.Requests.ShouldAllBe(r => r.AdmittedAt == null && r.RateLimitedBy == null);
        var (_, _, response) = await ChatAsync(Groq, scope, GroqModel);
        Header(response, "x-ratelimit-limit-requests").ShouldBe("14400");
        Header(response, "x-ratelimit-limit-tokens").ShouldBe("6000");
    }

    [Test]
    public async Task Groq_free_plan_admits_30_requests_a_minute_with_live_headers_then_answers_groqs_429_exactly()
    {
        var scope = LimitedGroq.OpenScope("groq free plan");
        scope.SetRateLimits(RateLimitOptions.FreePlan);
        var start = _clock.GetUtcNow();
        for (var i = 1; i <= 30; i++)
        {
            var (status, _, response) = await ChatAsync(LimitedGroq, scope, GroqModel);
            status.ShouldBe(200);
            var used = scope.Requests.Where(r => r.StatusCode == 200).Sum(r => r.PromptTokens + 5);
            Header(response, "x-ratelimit-limit-requests").ShouldBe("14400");
            Header(response, "x-ratelimit-remaining-requests").ShouldBe((14400 - i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Header(response, "x-ratelimit-reset-requests").ShouldBe("24h0m0s");
            Header(response, "x-ratelimit-limit-tokens").ShouldBe("6000");
            Header(response, "x-ratelimit-remaining-tokens").ShouldBe((6000 - used).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Header(response, "x-ratelimit-reset-tokens").ShouldBe("1m0s");
            response.Headers.Contains("retry-after").ShouldBeFalse();
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // The 31st, 30 s after the first: the first leaves the minute 30 s from now.
        var (limited, body, refused) = await ChatAsync(LimitedGroq, scope, GroqModel);
        limited.ShouldBe(429);
        body!.ToJsonString().ShouldBe(new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = $"Rate limit reached for model `{GroqModel}` in organization `org_01simulated0000000000000000` service tier `on_demand` " +
                              $"on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in 30s. {Upgrade}",
                ["type"] = "requests",
                ["code"] = "rate_limit_exceeded",
            },
        }.ToJsonString());
        Header(refused, "retry-after").ShouldBe("30");
        Header(refused, "x-ratelimit-remaining-requests").ShouldBe("14370");
        Header(refused, "x-ratelimit-reset-requests").ShouldBe("23h59m59s");
        Header(refused, "x-ratelimit-reset-tokens").ShouldBe("59s");
        var record = scope.Requests[^1];
        (record.StatusCode, record.RateLimitedBy, record.RetryAfter, record.AdmittedAt).ShouldBe((429, "requests per minute (RPM)", TimeSpan.FromSeconds(30), (DateTimeOffset?)null));
        scope.Requests[0].AdmittedAt.ShouldBe(start);

        _clock.Advance(TimeSpan.FromSeconds(30));
        (await ChatAsync(LimitedGroq, scope, GroqModel)).Status.ShouldBe(200, "the wait it was told is exactly enough");
    }

    [Test]
    public async Task Each_groq_model_enforces_its_own_free_plan_and_other_responses_report_the_first_models_windows()
    {
        var scope = LimitedGroq.OpenScope("groq free plan per model");
        scope.SetRateLimits(RateLimitOptions.FreePlan);
        var (_, _, response) = await ChatAsync(LimitedGroq, scope, "llama-3.3-70b-versatile");
        Header(response, "x-ratelimit-limit-requests").ShouldBe("1000");
        Header(response, "x-ratelimit-remaining-requests").ShouldBe("999");
        Header(response, "x-ratelimit-limit-tokens").ShouldBe("12000");

        var (models, _) = await SendAsync(Get(LimitedGroq, scope.ApiKey, "/models"));
        Header(models, "x-ratelimit-limit-requests").ShouldBe("14400");
        Header(models, "x-ratelimit-remaining-requests").ShouldBe("14400", "GET /models is not counted, and llama-3.1-8b-instant has not been used");
    }

    [Test]
    public async Task Groq_token_windows_count_prompt_plus_max_tokens_and_a_request_larger_than_the_limit_gets_413()
    {
        var scope = LimitedGroq.OpenScope("groq tpm");
        scope.SetRateLimits(RateLimitOptions.None.With(RateLimitWindow.TokensPerMinute, 100));
        var (firstStatus, firstBody, _) = await ChatAsync(LimitedGroq, scope, GroqModel, maxTokens: 90);
        firstStatus.ShouldBe(200, firstBody?.ToJsonString());
        var first = scope.Requests[0];
        var requested = first.PromptTokens + 90;
        first.CompletionTokens.ShouldBeLessThan(90, "the answer is shorter than the reservation");
        var used = first.PromptTokens + first.CompletionTokens; // the reservation was corrected to what was served

        var (status, body, response) = await ChatAsync(LimitedGroq, scope, GroqModel, maxTokens: 90);
        status.ShouldBe(429);
        body!["error"]!["type"]!.GetValue<string>().ShouldBe("tokens");
        body["error"]!["message"]!.GetValue<string>().ShouldBe(
            $"Rate limit reached for model `{GroqModel}` in organization `org_01simulated0000000000000000` service tier `on_demand` " +
            $"on tokens per minute (TPM): Limit 100, Used {used}, Requested {requested}. Please try again in 1m0s. {Upgrade}");
        Header(response, "retry-after").ShouldBe("60");
        Header(response, "x-ratelimit-remaining-tokens").ShouldBe((100 - used).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var (tooLarge, tooLargeBody, _) = await ChatAsync(LimitedGroq, scope, GroqModel, maxTokens: 200);
        tooLarge.ShouldBe(413);
        tooLargeBody!["error"]!["message"]!.GetValue<string>().ShouldStartWith(
            $"Request too large for model `{GroqModel}` in organization `org_01simulated0000000000000000` service tier `on_demand` on tokens per minute (TPM): Limit 100, Requested {scope.Requests[0].PromptTokens + 200}, please reduce your message size");
    }

    [Test]
    public async Task Groq_requests_per_day_refuse_with_a_wait_of_a_day()
    {
        var scope = LimitedGroq.OpenScope("groq rpd");
        scope.SetRateLimits(RateLimitOptions.None.With(RateLimitWindow.RequestsPerDay, 2));
        await ChatAsync(LimitedGroq, scope, GroqModel);
        _clock.Advance(TimeSpan.FromHours(1));
        await ChatAsync(LimitedGroq, scope, GroqModel);

        var (status, body, response) = await ChatAsync(LimitedGroq, scope, GroqModel);
        status.ShouldBe(429);
        body!["error"]!["message"]!.GetValue<string>().ShouldContain("on requests per day (RPD): Limit 2, Used 2, Requested 1. Please try again in 23h0m0s.");
        Header(response, "retry-after").ShouldBe("82800");
        Header(response, "x-ratelimit-limit-requests").ShouldBe("2");
        Header(response, "x-ratelimit-remaining-requests").ShouldBe("0");
        Header(response, "x-ratelimit-reset-requests").ShouldBe("24h0m0s", "the window is whole again a day after the newest request");
    }

    [Test]
    public async Task Together_answers_its_dynamic_limit_429_with_per_second_headers()
    {
        var scope = LimitedTogether.OpenScope("together rps");
        scope.SetRateLimits(RateLimitOptions.None.With(RateLimitWindow.RequestsPerSecond, 2).With(RateLimitWindow.TokensPerSecond, 3000));
        var (_, _, first) = await ChatAsync(LimitedTogether, scope, TogetherModel);
        Header(first, "x-ratelimit-limit").ShouldBe("2");
        Header(first, "x-ratelimit-remaining").ShouldBe("1");
        Header(first, "x-ratelimit-reset").ShouldBe("0");
        Header(first, "x-tokenlimit-limit").ShouldBe("3000");
        var tokens = scope.Requests[0].PromptTokens + 5;
        Header(first, "x-tokenlimit-remaining").ShouldBe((3000 - tokens).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (_, _, second) = await ChatAsync(LimitedTogether, scope, TogetherModel);
        Header(second, "x-ratelimit-remaining").ShouldBe("0");
        Header(second, "x-ratelimit-reset").ShouldBe("1");

        _clock.Advance(TimeSpan.FromMilliseconds(250));
        var (status, body, refused) = await ChatAsync(LimitedTogether, scope, TogetherModel);
        status.ShouldBe(429);
        body!.ToJsonString().ShouldBe(new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = $"You have been rate limited on model {TogetherModel}: your current limit is 2 requests per second. Please try again in 0.75s.",
                ["type"] = "dynamic_request_limited",
                ["param"] = null,
                ["code"] = "rate_limit_exceeded",
            },
        }.ToJsonString());
        Header(refused, "retry-after").ShouldBe("1");
        Header(refused, "x-ratelimit-limit").ShouldBe("2");
        Header(refused, "x-ratelimit-remaining").ShouldBe("0");
        Header(refused, "x-ratelimit-reset").ShouldBe("0.75");
        Header(refused, "x-tokenlimit-remaining").ShouldBe((3000 - 2 * tokens).ToString(System.Globalization.CultureInfo.InvariantCulture));

        _clock.Advance(TimeSpan.FromMilliseconds(750));
        (await ChatAsync(LimitedTogether, scope, TogetherModel)).Status.ShouldBe(200);
    }

    [Test]
    public async Task Together_token_limits_answer_dynamic_token_limited()
    {
        var scope = LimitedTogether.OpenScope("together tps");
        scope.SetRateLimits(RateLimitOptions.None.With(RateLimitWindow.TokensPerSecond, 50));
        (await ChatAsync(LimitedTogether, scope, TogetherModel, maxTokens: 30)).Status.ShouldBe(200);

        var (status, body, response) = await ChatAsync(LimitedTogether, scope, TogetherModel, maxTokens: 30);
        status.ShouldBe(429);
        body!["error"]!["type"]!.GetValue<string>().ShouldBe("dynamic_token_limited");
        body["error"]!["message"]!.GetValue<string>().ShouldBe($"You have been rate limited on model {TogetherModel}: your current limit is 50 tokens per second. Please try again in 1s.");
        Header(response, "retry-after").ShouldBe("1");

        var (never, neverBody, neverResponse) = await ChatAsync(LimitedTogether, scope, TogetherModel, maxTokens: 100);
        never.ShouldBe(429);
        neverBody!["error"]!["message"]!.GetValue<string>().ShouldContain("more than your limit of 50 tokens per second");
        neverResponse.Headers.Contains("retry-after").ShouldBeFalse("waiting cannot help a request larger than the limit");
    }

    [Test]
    public async Task Each_scope_is_its_own_account_under_the_providers_limits()
    {
        LimitedGroq.SetRateLimits(RateLimitOptions.None.With(RateLimitWindow.RequestsPerMinute, 1));
        try
        {
            var one = LimitedGroq.OpenScope("account one");
            var two = LimitedGroq.OpenScope("account two");
            (await ChatAsync(LimitedGroq, one, GroqModel)).Status.ShouldBe(200);
            (await ChatAsync(LimitedGroq, one, GroqModel)).Status.ShouldBe(429);
            (await ChatAsync(LimitedGroq, one, "qwen/qwen3-32b")).Status.ShouldBe(200, "each model has its own windows");
            (await ChatAsync(LimitedGroq, two, GroqModel)).Status.ShouldBe(200, "another key is another account");
        }
        finally
        {
            LimitedGroq.SetRateLimits(RateLimitOptions.None);
        }
    }

    [Test]
    public async Task Five_requests_per_minute_are_enforced_exactly_over_three_minutes_of_requests_every_half_second()
    {
        var scope = LimitedGroq.OpenScope("exact rpm");
        scope.SetRateLimits(RateLimitOptions.None.With(RateLimitWindow.RequestsPerMinute, 5));
        var start = _clock.GetUtcNow();
        var sent = new List<(DateTimeOffset At, int Status)>();
        while (_clock.GetUtcNow() - start < TimeSpan.FromSeconds(185))
        {
            sent.Add((_clock.GetUtcNow(), (await ChatAsync(LimitedGroq, scope, GroqModel)).Status));
            _clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        var accepted = sent.Where(s => s.Status == 200).Select(s => s.At).ToList();
        sent.Select(s => s.Status).Distinct().Order().ShouldBe([200, 429]);
        for (var minute = 0; minute < 3; minute++)
            accepted.Count(t => t - start >= TimeSpan.FromMinutes(minute) && t - start < TimeSpan.FromMinutes(minute + 1)).ShouldBe(5, $"minute {minute + 1}");
        foreach (var (at, status) in sent)
        {
            var inRollingMinute = accepted.Count(t => t <= at && at - t < TimeSpan.FromMinutes(1));
            if (status == 429) inRollingMinute.ShouldBe(5, $"a refusal at {at - start} must have the window full");
            accepted.Count(t => t >= at && t - at < TimeSpan.FromMinutes(1)).ShouldBeLessThanOrEqualTo(5);
        }
        scope.Requests.Where(r => r.StatusCode == 200).Select(r => r.AdmittedAt!.Value).ShouldBe(accepted);
    }
}
