using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// The control endpoint's validation and state, in-process (the happy paths from another process are in the CLI's
/// tests). Its own simulators: the endpoint changes provider-wide settings that the shared ones must keep.
/// </summary>
public sealed class ControlEndpointTests
{
    private SimulatedProviders _sims = null!;
    private SimulatedProvider ControlledGroq => _sims[ProviderIds.Groq];
    private SimulatedProvider ControlledTogether => _sims[ProviderIds.TogetherAi];

    [OneTimeSetUp]
    public async Task StartAsync() => _sims = await SimulatedProviders.StartAsync(new SimulatorOptions { TimeScale = 0 });

    [OneTimeTearDown]
    public async Task StopAsync() => await _sims.DisposeAsync();

    [SetUp]
    public async Task ResetAsync() => await ControlAsync(ControlledGroq, HttpMethod.Post, "reset", """{"clearLimits":true}""");

    private static async Task<(int Status, JsonNode Body)> ControlAsync(SimulatedProvider provider, HttpMethod method, string route, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(provider.ControlUrl, route));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var (response, body) = await SendAsync(request);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        body.ShouldNotContain(provider.DefaultApiKey, Case.Sensitive, "a key never appears unmasked in a control response");
        return ((int)response.StatusCode, JsonNode.Parse(body)!);
    }

    private static string Error(JsonNode body) => body["error"]!.GetValue<string>();

    [Test]
    public async Task The_state_names_the_provider_its_urls_the_masked_key_and_the_routes()
    {
        var (status, state) = await ControlAsync(ControlledGroq, HttpMethod.Get, "");
        status.ShouldBe(200);
        state["provider"]!.GetValue<string>().ShouldBe("groq");
        state["baseUrl"]!.GetValue<string>().ShouldBe(ControlledGroq.BaseUrl.ToString());
        state["controlUrl"]!.GetValue<string>().ShouldBe($"http://127.0.0.1:{ControlledGroq.Port}/__simulator/");
        state["defaultKey"]!.GetValue<string>().ShouldBe("gsk_…_key");
        state["timeScale"]!.GetValue<double>().ShouldBe(0);
        state["limits"]!["enforced"]!.GetValue<bool>().ShouldBeFalse();
        state["routes"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldContain("PUT /__simulator/limits");
        ControlledGroq.ControlUrl.Port.ShouldBe(ControlledGroq.Port);
    }

    [TestCase("""{"fault":"rate-limited"}""", "unknown fault 'rate-limited'. Known faults: rate-limit-sequence, overloaded")]
    [TestCase("""{"count":2}""", "'fault' is required: one of rate-limit-sequence")]
    [TestCase("""{"fault":"overloaded","cont":2}""", "unknown field 'cont'; known: fault, model, count, retryAfter, delay, afterChunks. Example:")]
    [TestCase("""{"fault":"overloaded","count":0}""", "Fault count must be at least 1")]
    [TestCase("""{"fault":"overloaded","count":"two"}""", "'count' must be a whole number; got \"two\"")]
    [TestCase("""{"fault":"rate-limit-sequence","retryAfter":-1}""", "'retryAfter' is in seconds and must be >= 0")]
    [TestCase("""{"fault":"overloaded","model":"gpt-4o"}""", "groq serves no model 'gpt-4o', so the fault would never apply. Models: llama-3.1-8b-instant")]
    [TestCase("""{"fault":"catalog-unavailable","model":"llama-3.1-8b-instant"}""", "applies to GET /models, not to one model")]
    [TestCase("""["overloaded"]""", "the body must be a JSON object")]
    [TestCase("""{"fault":""", "the body is not valid JSON")]
    [TestCase("", "POST /__simulator/faults needs a JSON object body")]
    public async Task A_fault_the_endpoint_cannot_apply_is_a_400_saying_what_to_send(string json, string expected)
    {
        var (status, body) = await ControlAsync(ControlledGroq, HttpMethod.Post, "faults", json);
        status.ShouldBe(400);
        Error(body).ShouldContain(expected);
        ControlledGroq.DefaultScope.ActiveFaults.ShouldBeEmpty();
    }

    [Test]
    public async Task Capacity_exceeded_is_refused_for_together_naming_the_fault_to_use()
    {
        var (status, body) = await ControlAsync(ControlledTogether, HttpMethod.Post, "faults", """{"fault":"capacity-exceeded"}""");
        status.ShouldBe(400);
        Error(body).ShouldBe("'capacity-exceeded' (HTTP 498) exists only at Groq; use 'overloaded' (503) for together_ai.");
    }

    [Test]
    public async Task Faults_are_added_for_the_default_key_listed_with_their_uses_left_and_cleared()
    {
        var (added, faults) = await ControlAsync(ControlledGroq, HttpMethod.Post, "faults", """{"fault":"rate-limit-sequence","model":"llama-3.1-8b-instant","count":2,"retryAfter":1.5}""");
        added.ShouldBe(201);
        faults["faults"]!.ToJsonString().ShouldBe("""[{"fault":"rate-limit-sequence","model":"llama-3.1-8b-instant","remaining":2,"retryAfter":1.5,"delay":null,"afterChunks":null}]""");

        var (response, _) = await SendAsync(Post(ControlledGroq, ControlledGroq.DefaultApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant")));
        ((int)response.StatusCode).ShouldBe(429);
        (await ControlAsync(ControlledGroq, HttpMethod.Get, "faults")).Body["faults"]![0]!["remaining"]!.GetValue<int>().ShouldBe(1);

        var (cleared, none) = await ControlAsync(ControlledGroq, HttpMethod.Delete, "faults");
        cleared.ShouldBe(200);
        none["faults"]!.AsArray().ShouldBeEmpty();
        var (after, _) = await SendAsync(Post(ControlledGroq, ControlledGroq.DefaultApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant")));
        ((int)after.StatusCode).ShouldBe(200);
    }

    [TestCase("""{"plan":"pro"}""", "unknown plan 'pro': use \"none\" or \"free-plan\"")]
    [TestCase("""{"rps":3}""", "unknown field 'rps'; known: plan, rpm, rpd, tpm, tpd")]
    [TestCase("""{"rpm":0}""", "The 'rpm' limit must be at least 1; got 0.")]
    [TestCase("""{"rpm":2.5}""", "'rpm' must be a whole number; got 2.5")]
    public async Task Limits_the_endpoint_cannot_apply_are_a_400_and_change_nothing(string json, string expected)
    {
        var (status, body) = await ControlAsync(ControlledGroq, HttpMethod.Put, "limits", json);
        status.ShouldBe(400);
        Error(body).ShouldContain(expected);
        ControlledGroq.RateLimits.Enforced.ShouldBeFalse();
    }

    [Test]
    public async Task Limits_are_replaced_as_a_whole_and_reported_per_model_with_the_default_accounts_use()
    {
        var (status, limits) = await ControlAsync(ControlledGroq, HttpMethod.Put, "limits", """{"plan":"free-plan","rpm":2}""");
        status.ShouldBe(200);
        (limits["plan"]!.GetValue<string>(), limits["enforced"]!.GetValue<bool>(), limits["rpm"]!.GetValue<int>()).ShouldBe(("free-plan", true, 2));
        await SendAsync(Post(ControlledGroq, ControlledGroq.DefaultApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant")));

        var (_, report) = await ControlAsync(ControlledGroq, HttpMethod.Get, "limits");
        var windows = report["models"]!.AsArray().Single(m => m!["model"]!.GetValue<string>() == "llama-3.1-8b-instant")!["windows"]!.AsArray();
        windows.Select(w => $"{w!["window"]} {w["limit"]} {w["used"]}").ShouldBe(["rpm 2 1", "rpd 14400 1", $"tpm 6000 {windows[2]!["used"]}", $"tpd 500000 {windows[3]!["used"]}"]);
        windows[2]!["used"]!.GetValue<int>().ShouldBeGreaterThan(0);
        windows[0]!["secondsUntilFull"]!.GetValue<double>().ShouldBeInRange(55, 60);

        var (_, replaced) = await ControlAsync(ControlledGroq, HttpMethod.Put, "limits", """{"tpm":100}""");
        (replaced["plan"]!.GetValue<string>(), replaced["rpm"], replaced["tpm"]!.GetValue<int>()).ShouldBe(("none", (JsonNode?)null, 100));
    }

    [Test]
    public async Task Time_scale_is_read_and_changed_and_a_bad_value_says_what_to_send()
    {
        (await ControlAsync(ControlledTogether, HttpMethod.Put, "time-scale", """{"timeScale":0.5}""")).Body["timeScale"]!.GetValue<double>().ShouldBe(0.5);
        ControlledTogether.TimeScale.ShouldBe(0.5);
        var (status, body) = await ControlAsync(ControlledTogether, HttpMethod.Put, "time-scale", """{"timeScale":-1}""");
        status.ShouldBe(400);
        Error(body).ShouldBe("The time scale must be a finite number >= 0, e.g. 1 or 0.1; got -1.");
        Error((await ControlAsync(ControlledTogether, HttpMethod.Put, "time-scale", """{"scale":1}""")).Body).ShouldContain("unknown field 'scale'; known: timeScale");
        await ControlAsync(ControlledTogether, HttpMethod.Put, "time-scale", """{"timeScale":0}""");
    }

    [Test]
    public async Task The_request_log_masks_keys_in_headers_and_bodies_and_filters_by_ordinal()
    {
        var key = ControlledGroq.DefaultApiKey;
        using (var request = Post(ControlledGroq, key, "/chat/completions", ChatBody("llama-3.1-8b-instant", prompt: $"my key is {key}")))
        {
            request.Headers.Add("x-api-key", key);
            await SendAsync(request);
        }
        await SendAsync(Get(ControlledGroq, key, "/models"));

        var (_, log) = await ControlAsync(ControlledGroq, HttpMethod.Get, "requests");
        var requests = log["requests"]!.AsArray();
        requests.Count.ShouldBe(2);
        var chat = requests[0]!;
        chat["headers"]!["Authorization"]!.GetValue<string>().ShouldBe("Bearer gsk_…_key");
        chat["headers"]!["x-api-key"]!.GetValue<string>().ShouldBe("gsk_…_key");
        chat["body"]!.GetValue<string>().ShouldContain("my key is <scrubbed>");
        chat["timing"]!["totalMs"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(0);
        chat["status"]!.GetValue<int>().ShouldBe(200);
        var since = requests[0]!["ordinal"]!.GetValue<int>();
        (await ControlAsync(ControlledGroq, HttpMethod.Get, $"requests?since={since}")).Body["requests"]!.AsArray().Single()!["path"]!.GetValue<string>().ShouldBe("/openai/v1/models");
        var (bad, badBody) = await ControlAsync(ControlledGroq, HttpMethod.Get, "requests?since=last");
        bad.ShouldBe(400);
        Error(badBody).ShouldContain("'since' must be a request ordinal");
    }

    [Test]
    public async Task Reset_clears_faults_log_and_windows_but_keeps_limits_unless_told()
    {
        await ControlAsync(ControlledGroq, HttpMethod.Put, "limits", """{"rpm":1}""");
        await ControlAsync(ControlledGroq, HttpMethod.Post, "faults", """{"fault":"overloaded"}""");
        await SendAsync(Post(ControlledGroq, ControlledGroq.DefaultApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant")));

        var (status, state) = await ControlAsync(ControlledGroq, HttpMethod.Post, "reset");
        status.ShouldBe(200);
        (state["requests"]!.GetValue<int>(), state["faults"]!.AsArray().Count, state["limits"]!["rpm"]!.GetValue<int>()).ShouldBe((0, 0, 1));
        var (response, _) = await SendAsync(Post(ControlledGroq, ControlledGroq.DefaultApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant")));
        ((int)response.StatusCode).ShouldBe(200, "the window was emptied");

        var (invalid, error) = await ControlAsync(ControlledGroq, HttpMethod.Post, "reset", """{"clearLimits":1}""");
        invalid.ShouldBe(400);
        Error(error).ShouldContain("'clearLimits' must be true or false");
        ControlledGroq.DefaultScope.Requests.Count.ShouldBe(1, "a refused reset changes nothing");
        (await ControlAsync(ControlledGroq, HttpMethod.Post, "reset", """{"clearLimits":true}""")).Body["limits"]!["enforced"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Test]
    public async Task Unknown_routes_and_methods_name_what_is_served_and_the_api_paths_are_untouched()
    {
        var (missing, body) = await ControlAsync(ControlledGroq, HttpMethod.Get, "nope");
        missing.ShouldBe(404);
        Error(body).ShouldContain("Routes: GET /__simulator/,");
        var (wrongMethod, methodBody) = await ControlAsync(ControlledGroq, HttpMethod.Delete, "limits");
        wrongMethod.ShouldBe(405);
        Error(methodBody).ShouldBe("DELETE is not served at /__simulator/limits; use GET /__simulator/limits or PUT /__simulator/limits.");

        var (api, apiBody) = await SendAsync(Get(ControlledGroq, ControlledGroq.DefaultApiKey, "/__simulator/"));
        ((int)api.StatusCode).ShouldBe(404, "under the API prefix the path is an unknown provider URL");
        apiBody.ShouldContain("unknown_url");
    }
}
