using System.ClientModel;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace ProviderSpecs.Cli.Tests;

/// <summary>
/// Issue 17: <c>simulate</c> in a child process, driven only from outside — faults from the command line, enforced
/// limits, the control endpoint, and the official OpenAI SDK honouring an enforced 429's retry-after.
/// </summary>
public class SimulateFromAnotherProcessTests
{
    private const string GroqModel = "llama-3.1-8b-instant";
    private const string TogetherModel = "meta-llama/Llama-3.3-70B-Instruct-Turbo";
    private const string OtherTogetherModel = "Qwen/Qwen2.5-7B-Instruct-Turbo";

    private static DateTimeOffset Time(JsonNode? node) => DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    [Test]
    public async Task Faults_given_on_the_command_line_fail_the_stated_requests_as_stated()
    {
        await using var sim = await SimulateProcess.StartAsync("--time-scale", "0",
            "--fault", "groq:rate-limit-sequence,count=2,retry-after=1.5",
            "--fault", $"together/{TogetherModel}:overloaded,count=1");

        sim.Provider("groq")["faults"]!.AsArray().Single()!.GetValue<string>().ShouldBe("rate-limit-sequence (2×, retry-after 1.5s)");
        var groq = new List<int>();
        for (var i = 0; i < 3; i++) groq.Add((await sim.ChatAsync("groq", GroqModel)).Status);
        groq.ShouldBe([429, 429, 200]);
        var first429 = (await sim.RequestLogAsync("groq"))[0];
        (first429["retryAfter"]!.GetValue<double>(), first429["faults"]![0]!.GetValue<string>()).ShouldBe((1.5, "rate-limit-sequence"));

        (await sim.ChatAsync("together_ai", OtherTogetherModel)).Status.ShouldBe(200, "the fault is limited to one model");
        var (overloaded, _, body) = await sim.ChatAsync("together_ai", TogetherModel);
        overloaded.ShouldBe(503);
        JsonNode.Parse(body)!["error"]!["param"].ShouldBeNull();
        (await sim.ChatAsync("together_ai", TogetherModel)).Status.ShouldBe(200, "count=1: only the first request");
    }

    [Test]
    public async Task A_groq_limit_from_the_command_line_answers_groqs_429_with_the_exact_wait()
    {
        await using var sim = await SimulateProcess.StartAsync("--time-scale", "0", "--limits", "free-plan", "--groq-rpm", "2");
        sim.Provider("groq")["limits"]!.GetValue<string>().ShouldBe("free-plan, rpm 2");

        var (first, firstResponse, _) = await sim.ChatAsync("groq", GroqModel);
        first.ShouldBe(200);
        firstResponse.Headers.GetValues("x-ratelimit-limit-requests").Single().ShouldBe("14400", "the free plan's requests per day");
        firstResponse.Headers.GetValues("x-ratelimit-remaining-requests").Single().ShouldBe("14399");
        (await sim.ChatAsync("groq", GroqModel)).Status.ShouldBe(200);
        var (status, response, body) = await sim.ChatAsync("groq", GroqModel);

        status.ShouldBe(429);
        var log = await sim.RequestLogAsync("groq");
        var wait = TimeSpan.FromSeconds(log[2]["retryAfter"]!.GetValue<double>());
        wait.ShouldBe(Time(log[0]["admittedAt"]) + TimeSpan.FromMinutes(1) - Time(log[2]["receivedAt"]), TimeSpan.FromMilliseconds(50));
        var error = JsonNode.Parse(body)!["error"]!;
        error["message"]!.GetValue<string>().ShouldMatch(
            @"^Rate limit reached for model `llama-3\.1-8b-instant` in organization `org_\w+` service tier `on_demand` on requests per minute \(RPM\): " +
            @"Limit 2, Used 2, Requested 1\. Please try again in 59\.\d\ds\. Need more tokens\? Upgrade to Dev Tier today at https://console\.groq\.com/settings/billing$");
        (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()).ShouldBe(("requests", "rate_limit_exceeded"));
        response.Headers.GetValues("retry-after").Single().ShouldBe("60");
        response.Headers.GetValues("x-ratelimit-remaining-requests").Single().ShouldBe("14398");
        log[2]["rateLimitedBy"]!.GetValue<string>().ShouldBe("requests per minute (RPM)");
    }

    [Test]
    public async Task Three_requests_per_second_are_enforced_exactly_when_clients_send_as_fast_as_they_can()
    {
        await using var sim = await SimulateProcess.StartAsync("--time-scale", "0", "--together-rps", "3");
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3.5);
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        var retryAfters = new System.Collections.Concurrent.ConcurrentBag<string>();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (DateTimeOffset.UtcNow < until)
            {
                var (status, response, _) = await sim.ChatAsync("together_ai", TogetherModel, maxTokens: 2);
                statuses.Add(status);
                if (status == 429) retryAfters.Add(response.Headers.GetValues("retry-after").Single());
            }
        })).ToList();
        // The simulator keeps the latest 5,000 requests per key: read the log while it grows, so none is missed.
        var log = new SortedDictionary<int, JsonNode>();
        async Task CollectAsync()
        {
            // Records are added as requests finish, not in ordinal order: ask again from the first gap.
            var since = 0;
            while (log.ContainsKey(since + 1)) since++;
            foreach (var entry in (await sim.ControlAsync("together_ai", HttpMethod.Get, $"requests?since={since}")).Body["requests"]!.AsArray())
                log[entry!["ordinal"]!.GetValue<int>()] = entry;
        }
        while (!clients.All(c => c.IsCompleted))
        {
            await Task.Delay(250);
            await CollectAsync();
        }
        await Task.WhenAll(clients);
        await CollectAsync();

        (log.Count, log.Keys.Last()).ShouldBe((statuses.Count, statuses.Count), "every request is in the log, once");
        var accepted = log.Values.Where(r => r["status"]!.GetValue<int>() == 200).Select(r => Time(r["admittedAt"])).Order().ToList();
        var refused = log.Values.Count(r => r["status"]!.GetValue<int>() == 429);
        var span = log.Values.Max(r => Time(r["receivedAt"])) - accepted[0];
        TestContext.Out.WriteLine($"{log.Count} requests in {span.TotalSeconds:0.00} s: {accepted.Count} accepted, {refused} refused with 429");

        refused.ShouldBeGreaterThan(accepted.Count, "the clients must send well over the limit for the count to mean anything");
        foreach (var t in accepted) accepted.Count(u => u >= t && u - t < TimeSpan.FromSeconds(1)).ShouldBeLessThanOrEqualTo(3, $"the second from {t:HH:mm:ss.fff}");
        // Exact means no more, and also no fewer: every whole second of the run admitted its 3.
        for (var second = 0; second < (int)span.TotalSeconds; second++)
            accepted.Count(t => t - accepted[0] >= TimeSpan.FromSeconds(second) && t - accepted[0] < TimeSpan.FromSeconds(second + 1)).ShouldBe(3, $"second {second + 1}");
        retryAfters.ShouldAllBe(r => r == "1");
        statuses.ShouldAllBe(s => s == 200 || s == 429);
    }

    [Test]
    public async Task The_control_endpoint_drives_faults_limits_time_scale_the_request_log_and_reset_from_another_process()
    {
        await using var sim = await SimulateProcess.StartAsync("--time-scale", "0");
        var control = sim.ControlUrl("groq");
        control.ToString().ShouldBe($"http://127.0.0.1:{sim.BaseUrl("groq").Port}/__simulator/");

        // A fault, then cleared.
        (await sim.ControlAsync("groq", HttpMethod.Post, "faults", """{"fault":"server-error","model":"llama-3.1-8b-instant","count":5}""")).Status.ShouldBe(201);
        (await sim.ChatAsync("groq", GroqModel)).Status.ShouldBe(500);
        (await sim.ChatAsync("groq", "qwen/qwen3-32b")).Status.ShouldBe(200, "the fault is limited to its model");
        (await sim.ControlAsync("groq", HttpMethod.Delete, "faults")).Body["faults"]!.AsArray().ShouldBeEmpty();
        (await sim.ChatAsync("groq", GroqModel)).Status.ShouldBe(200);

        // Limits changed without a restart.
        (await sim.ControlAsync("groq", HttpMethod.Put, "limits", """{"rpm":1}""")).Status.ShouldBe(200);
        (await sim.ChatAsync("groq", "openai/gpt-oss-20b")).Status.ShouldBe(200);
        (await sim.ChatAsync("groq", "openai/gpt-oss-20b")).Status.ShouldBe(429);
        (await sim.ControlAsync("groq", HttpMethod.Put, "limits", """{"plan":"none"}""")).Body["enforced"]!.GetValue<bool>().ShouldBeFalse();
        (await sim.ChatAsync("groq", "openai/gpt-oss-20b")).Status.ShouldBe(200);

        // Time scale: the published latency profile is served again (first chunk ≈ queue + time to first token).
        (await sim.ControlAsync("groq", HttpMethod.Put, "time-scale", """{"timeScale":1}""")).Body["timeScale"]!.GetValue<double>().ShouldBe(1);
        (await sim.ChatAsync("groq", GroqModel, stream: true)).Status.ShouldBe(200);

        var log = await sim.RequestLogAsync("groq");
        log.Select(r => r["status"]!.GetValue<int>()).ShouldBe([500, 200, 200, 200, 429, 200, 200]);
        log[0]["faults"]!.AsArray().Single()!.GetValue<string>().ShouldBe("server-error");
        log.ShouldAllBe(r => r["headers"]!["Authorization"]!.GetValue<string>() == "Bearer gsk_…_key");
        var paced = log[^1]["timing"]!;
        paced["plannedFirstChunkMs"]!.GetValue<double>().ShouldBeGreaterThan(50, "the published profile, not time scale 0");
        paced["firstChunkMs"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(paced["plannedFirstChunkMs"]!.GetValue<double>());
        paced["chunkGapsMs"]!.AsArray().Count.ShouldBe(paced["chunkCount"]!.GetValue<int>() - 1);
        paced["totalMs"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(paced["firstChunkMs"]!.GetValue<double>());
        log[1]["timing"]!["plannedFirstChunkMs"]!.GetValue<double>().ShouldBe(0, "time scale 0 before the change");

        var (reset, state) = await sim.ControlAsync("groq", HttpMethod.Post, "reset");
        reset.ShouldBe(200);
        (state["requests"]!.GetValue<int>(), state["timeScale"]!.GetValue<double>()).ShouldBe((0, 1.0));
        (await sim.RequestLogAsync("groq")).ShouldBeEmpty();
    }

    [Test]
    public async Task The_official_OpenAI_SDK_retries_an_enforced_429_no_sooner_than_its_retry_after_and_then_succeeds()
    {
        await using var sim = await SimulateProcess.StartAsync("--time-scale", "0", "--together-rps", "1");
        // The SDK's default pipeline: 3 retries on 429, honouring retry-after.
        var client = new OpenAIClient(new ApiKeyCredential(sim.Key("together_ai")), new OpenAIClientOptions { Endpoint = sim.BaseUrl("together_ai") })
            .GetChatClient(TogetherModel);
        // Together ends answers with "eos", which the SDK does not know; a length cut gives "length" instead.
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 3 };

        await client.CompleteChatAsync([new UserChatMessage("Hello")], options);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ChatCompletion second = await client.CompleteChatAsync([new UserChatMessage("Hello again")], options);
        watch.Stop();

        second.FinishReason.ShouldBe(ChatFinishReason.Length);
        var log = await sim.RequestLogAsync("together_ai");
        log.Select(r => r["status"]!.GetValue<int>()).ShouldBe([200, 429, 200], "the SDK was refused once, waited, and retried");
        var sentRetryAfter = Math.Ceiling(log[1]["retryAfter"]!.GetValue<double>()); // the header: whole seconds, rounded up
        sentRetryAfter.ShouldBe(1);
        var gap = Time(log[2]["receivedAt"]) - Time(log[1]["receivedAt"]);
        TestContext.Out.WriteLine($"429 asked for {log[1]["retryAfter"]} s (retry-after: {sentRetryAfter}); the SDK retried {gap.TotalMilliseconds:0} ms later");
        gap.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(sentRetryAfter));
        gap.ShouldBeLessThan(TimeSpan.FromSeconds(sentRetryAfter + 2), "it waited for the header, not for a long backoff of its own");
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(sentRetryAfter));
    }
}
