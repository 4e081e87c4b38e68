using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Tests;

public class RegistryTests
{
    [TestCase("together", "together_ai")]
    [TestCase("together_ai", "together_ai")]
    [TestCase("togetherai", "together_ai")]
    [TestCase("Together-AI", "together_ai")]
    [TestCase("groq", "groq")]
    public void Aliases_resolve_to_the_canonical_provider(string name, string expectedId) =>
        ProviderRegistry.Default.Resolve(name).Id.ShouldBe(expectedId);

    [Test]
    public void At_least_twelve_openai_compatible_providers_are_defined()
    {
        var providers = ProviderRegistry.Default.Providers;
        providers.Count.ShouldBeGreaterThanOrEqualTo(12);
        providers.ShouldAllBe(p => p.Adapter == "openai-compatible" && p.KeyEnvVar.EndsWith("_API_KEY") && p.BaseUrlEnvVar.EndsWith("_BASE_URL"));
        foreach (var id in new[] { "groq", "together_ai", "openai", "fireworks", "deepinfra", "cerebras", "mistral", "openrouter", "deepseek", "xai", "perplexity", "nvidia" })
            ProviderRegistry.Default.TryResolve(id, out _).ShouldBeTrue(id);
    }

    [Test]
    public void Groq_and_together_carry_their_wire_facts()
    {
        var groq = ProviderRegistry.Default.Resolve("groq");
        groq.BaseUrl.ShouldBe(new Uri("https://api.groq.com/openai/v1"));
        groq.KeyPrefix.ShouldBe("gsk_");
        groq.ModelListShape.ShouldBe(ModelListShape.GroqList);
        groq.Options["n"].Max.ShouldBe(1);
        var together = ProviderRegistry.Default.Resolve("together");
        together.KeyEnvVar.ShouldBe("TOGETHER_API_KEY");
        together.ModelListShape.ShouldBe(ModelListShape.TogetherArray);
        together.RateLimitDialect.ShouldBe(RateLimitDialect.Together);
        together.Options.Keys.ShouldContain("top_k");
    }

    [Test]
    public void Unknown_provider_lists_close_matches_and_known_ids()
    {
        var error = Should.Throw<UnknownProviderException>(() => ProviderRegistry.Default.Resolve("grok-cloud"));
        error.ErrorKey.ShouldBe(ErrorKeys.UnknownProvider);
        error.CloseMatches.ShouldContain("groq");
        error.Message.ShouldContain("Did you mean");
        error.Message.ShouldContain("together_ai");
        Should.Throw<UnknownProviderException>(() => ProviderRegistry.Default.Resolve("togther")).CloseMatches.ShouldContain("together_ai");
    }
}

public class RateLimitParsingTests
{
    [TestCase("1m26.4s", 86_400)]
    [TestCase("185ms", 185)]
    [TestCase("11.75s", 11_750)]
    [TestCase("2m59.56s", 179_560)]
    [TestCase("1h0m0s", 3_600_000)]
    public void Go_durations_parse(string text, double milliseconds) =>
        GoDuration.Parse(text).TotalMilliseconds.ShouldBe(milliseconds, 0.001);

    [Test]
    public void A_non_duration_is_a_clear_format_error() =>
        Should.Throw<FormatException>(() => GoDuration.Parse("soon")).Message.ShouldContain("1m26.4s");

    [Test]
    public void Groq_429_is_rate_limited_with_retry_after_limit_and_resets()
    {
        var headers = new Dictionary<string, string>
        {
            ["retry-after"] = "11.75", ["x-ratelimit-limit-tokens"] = "6000", ["x-ratelimit-remaining-tokens"] = "0",
            ["x-ratelimit-reset-tokens"] = "11.75s", ["x-ratelimit-reset-requests"] = "2m59.56s", ["x-request-id"] = "req_abc",
        };
        var body = """{"error":{"message":"Rate limit reached for model `llama-3.1-8b-instant` in organization `org_1` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 3547, Requested 3572. Please try again in 11.19s.","type":"tokens","code":"rate_limit_exceeded"}}""";
        var error = ErrorMapper.FromHttpResponse(429, body, headers.GetValueOrDefault, ProviderRegistry.Default.Resolve("groq"), "llama-3.1-8b-instant");
        error.ErrorKey.ShouldBe(ErrorKeys.RateLimited);
        error.RequestId.ShouldBe("req_abc");
        error.RateLimit!.LimitedBy.ShouldBe("tokens");
        error.RateLimit.RetryAfter.ShouldBe(TimeSpan.FromSeconds(11.75));
        error.RateLimit.RequestsReset.ShouldBe(TimeSpan.FromSeconds(179.56));
        error.RateLimit.TokensLimit.ShouldBe(6000);
        error.ProviderMessage!.ShouldContain("tokens per minute");
    }

    [Test]
    public void Together_429_reads_per_second_headers()
    {
        var headers = new Dictionary<string, string> { ["x-ratelimit-limit"] = "10", ["x-ratelimit-remaining"] = "0", ["x-ratelimit-reset"] = "1", ["x-tokenlimit-limit"] = "2000" };
        var error = ErrorMapper.FromHttpResponse(429, """{"error":{"message":"slow down","type":"dynamic_request_limited","param":null,"code":null}}""",
            headers.GetValueOrDefault, ProviderRegistry.Default.Resolve("together"), "m");
        error.RateLimit!.LimitedBy.ShouldBe("requests");
        error.RateLimit.RequestsReset.ShouldBe(TimeSpan.FromSeconds(1));
        error.RateLimit.SuggestedDelay.ShouldBe(TimeSpan.FromSeconds(1));
        error.RateLimit.TokensLimit.ShouldBe(2000);
    }

    [TestCase(401, """{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}""", ErrorKeys.Authentication)]
    [TestCase(403, "{}", ErrorKeys.Permission)]
    [TestCase(404, """{"error":{"message":"The model `x` does not exist or you do not have access to it.","code":"model_not_found"}}""", ErrorKeys.ModelNotFound)]
    [TestCase(400, """{"error":{"message":"Please reduce the length of the messages or completion.","type":"invalid_request_error","code":"context_length_exceeded"}}""", ErrorKeys.ContextLengthExceeded)]
    [TestCase(400, """{"error":{"message":"bad","type":"invalid_request_error"}}""", ErrorKeys.BadRequest)]
    [TestCase(400, """{"error":{"message":"Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.","type":"invalid_request_error","code":"tool_use_failed","failed_generation":"<function=f>{}"}}""", ErrorKeys.ToolCallFailed)]
    [TestCase(413, "{}", ErrorKeys.RequestTooLarge)]
    [TestCase(498, """{"error":{"message":"flex tier capacity exceeded","code":"capacity_exceeded"}}""", ErrorKeys.Overloaded)]
    [TestCase(503, "{}", ErrorKeys.Overloaded)]
    [TestCase(500, "oops", ErrorKeys.ServerError)]
    [TestCase(502, "{}", ErrorKeys.ServerError)]
    [TestCase(504, "{}", ErrorKeys.Timeout)]
    public void Http_statuses_map_to_stable_keys(int status, string body, string key) =>
        ErrorMapper.FromHttpResponse(status, body, _ => null, ProviderRegistry.Default.Resolve("groq"), "m").ErrorKey.ShouldBe(key);
}
