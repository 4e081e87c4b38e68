using System.Text.Json.Nodes;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

public sealed class ScopeAndFaultTests
{
    private const string Model = "llama-3.1-8b-instant";

    [Test]
    public async Task A_rate_limit_sequence_gives_n_429s_with_groq_headers_then_recovers_and_never_touches_another_scope()
    {
        var limited = Groq.OpenScope("rate limited scenario");
        var bystander = Groq.OpenScope("bystander scenario");
        limited.InjectFault("rate-limit-sequence", new FaultOptions { Count = 2, RetryAfter = TimeSpan.FromSeconds(1.5) });

        var statuses = new List<int>();
        HttpResponseMessage? first429 = null;
        string? first429Body = null;
        for (var i = 0; i < 3; i++)
        {
            var (response, body) = await SendAsync(Post(Groq, limited.ApiKey, "/chat/completions", ChatBody(Model)));
            statuses.Add((int)response.StatusCode);
            if (statuses[^1] == 429 && first429 is null) (first429, first429Body) = (response, body);
            var (other, _) = await SendAsync(Post(Groq, bystander.ApiKey, "/chat/completions", ChatBody(Model)));
            ((int)other.StatusCode).ShouldBe(200);
        }

        statuses.ShouldBe([429, 429, 200]);
        first429!.Headers.GetValues("retry-after").Single().ShouldBe("1.5");
        first429.Headers.GetValues("x-ratelimit-remaining-requests").Single().ShouldBe("0");
        first429.Headers.GetValues("x-ratelimit-reset-requests").Single().ShouldBe("1.5s");
        var error = JsonNode.Parse(first429Body!)!["error"]!;
        error["code"]!.GetValue<string>().ShouldBe("rate_limit_exceeded");
        error["message"]!.GetValue<string>().ShouldStartWith($"Rate limit reached for model `{Model}`");
        limited.Requests.Select(r => r.FaultsApplied.Count).ShouldBe([1, 1, 0]);
        bystander.Requests.ShouldAllBe(r => r.FaultsApplied.Count == 0);
    }

    [TestCase("overloaded", 503)]
    [TestCase("capacity-exceeded", 498)]
    [TestCase("server-error", 500)]
    [TestCase("bad-gateway", 502)]
    public async Task Status_faults_answer_their_status_once(string fault, int status)
    {
        var scope = Groq.OpenScope("status fault " + fault);
        scope.InjectFault(fault, new FaultOptions { Count = 1 });
        var (failed, _) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model)));
        var (next, _) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model)));
        ((int)failed.StatusCode).ShouldBe(status);
        ((int)next.StatusCode).ShouldBe(200);
    }

    [Test]
    public async Task Tool_use_failed_answers_groqs_400_with_the_failed_generation_and_is_refused_for_together()
    {
        var scope = Groq.OpenScope("tool use failed");
        scope.InjectFault("tool-use-failed", new FaultOptions { Count = 1 });
        var (failed, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model)));
        ((int)failed.StatusCode).ShouldBe(400);
        var error = JsonNode.Parse(body)!["error"]!;
        error["code"]!.GetValue<string>().ShouldBe("tool_use_failed");
        error["type"]!.GetValue<string>().ShouldBe("invalid_request_error");
        error["failed_generation"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        Should.Throw<ArgumentException>(() => Together.OpenScope("no tool_use_failed").InjectFault("tool-use-failed")).Message.ShouldContain("only at Groq");
    }

    [Test]
    public void Capacity_exceeded_is_refused_for_together_and_unknown_fault_names_list_the_known_ones()
    {
        Should.Throw<ArgumentException>(() => Together.OpenScope("no 498").InjectFault("capacity-exceeded")).Message.ShouldContain("overloaded");
        Should.Throw<ArgumentException>(() => Groq.OpenScope("typo").InjectFault("rate-limited")).Message.ShouldContain("rate-limit-sequence");
    }

    [Test]
    public async Task Empty_body_and_malformed_json_are_200s_a_client_cannot_parse()
    {
        var scope = Groq.OpenScope("broken bodies");
        scope.InjectFault("empty-body", new FaultOptions { Count = 1 });
        var (_, empty) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model)));
        empty.ShouldBeEmpty();

        scope.InjectFault("malformed-json", new FaultOptions { Count = 1 });
        var (response, malformed) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model)));
        ((int)response.StatusCode).ShouldBe(200);
        Should.Throw<System.Text.Json.JsonException>(() => JsonNode.Parse(malformed));
    }

    [Test]
    public async Task A_connection_reset_aborts_the_request()
    {
        var scope = Groq.OpenScope("connection reset");
        scope.InjectFault("connection-reset", new FaultOptions { Count = 1 });
        await Should.ThrowAsync<HttpRequestException>(() => SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model))));
        scope.Requests.Single().FaultsApplied.ShouldBe(["connection-reset"]);
    }

    [Test]
    public async Task A_truncated_stream_ends_without_finish_reason_or_done()
    {
        var scope = Groq.OpenScope("truncated stream");
        scope.InjectFault("truncated-stream", new FaultOptions { AfterChunks = 2 });
        var (_, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model, stream: true)));
        var lines = DataLines(body);
        lines.ShouldNotContain("[DONE]");
        lines.Count.ShouldBe(3); // the role chunk and two content chunks
        lines.ShouldAllBe(l => JsonNode.Parse(l)!["choices"]![0]!["finish_reason"] == null);
    }

    [Test]
    public async Task A_garbage_chunk_is_a_non_json_data_line_in_an_otherwise_complete_stream()
    {
        var scope = Groq.OpenScope("garbage chunk");
        scope.InjectFault("garbage-chunk", new FaultOptions { AfterChunks = 1 });
        var (_, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model, stream: true)));
        var lines = DataLines(body);
        lines[^1].ShouldBe("[DONE]");
        lines.Count(l => l != "[DONE]" && !IsJson(l)).ShouldBe(1);
    }

    [Test]
    public async Task A_stalled_stream_holds_the_connection_until_the_client_gives_up()
    {
        var scope = Groq.OpenScope("stalled stream");
        scope.InjectFault("stalled-stream", new FaultOptions { AfterChunks = 1, Delay = TimeSpan.FromSeconds(20) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            using var response = await Http.SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model, stream: true)), cts.Token);
            await response.Content.ReadAsStringAsync(cts.Token);
        });
        scope.Requests.Single().Timing.ChunkCount.ShouldBe(1);
    }

    [Test]
    public async Task Slow_first_token_delays_the_first_chunk_by_the_given_delay()
    {
        var scope = Groq.OpenScope("slow first token");
        scope.InjectFault("slow-first-token", new FaultOptions { Delay = TimeSpan.FromMilliseconds(300), Count = 1 });
        await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model, stream: true)));
        scope.Requests.Single().Timing.FirstChunkDelay!.Value.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
    }

    [Test]
    public async Task A_scope_records_its_requests_with_the_authorization_masked()
    {
        var scope = Groq.OpenScope("request log");
        await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(Model, stream: true)));

        var request = scope.Requests.Single();
        request.Model.ShouldBe(Model);
        request.Stream.ShouldBeTrue();
        request.Path.ShouldBe("/openai/v1/chat/completions");
        request.Headers["Authorization"].ShouldBe($"Bearer {scope.ApiKey[..4]}…{scope.ApiKey[^4..]}");
        request.Headers.Values.ShouldAllBe(v => !v.Contains(scope.ApiKey));
        scope.ToString().ShouldNotContain(scope.ApiKey);
        scope.ApiKey.Length.ShouldBeLessThan(30);
        Groq.DefaultScope.Requests.ShouldAllBe(r => r.Headers["Authorization"] != request.Headers["Authorization"]);
    }

    private static bool IsJson(string text)
    {
        try { JsonNode.Parse(text); return true; }
        catch (System.Text.Json.JsonException) { return false; }
    }
}
