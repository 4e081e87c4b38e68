using System.Text.Json.Nodes;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>Exact shapes, headers and SSE framing, seen through a raw HttpClient.</summary>
public sealed class WireFormatTests
{
    private const string GroqModel = "llama-3.1-8b-instant";
    private const string TogetherModel = "meta-llama/Llama-3.3-70B-Instruct-Turbo";

    [Test]
    public async Task Groq_completion_has_groq_ids_usage_timings_and_rate_limit_headers()
    {
        var scope = Groq.OpenScope("groq completion shape");
        var (response, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel)));

        ((int)response.StatusCode).ShouldBe(200);
        var json = JsonNode.Parse(body)!;
        json["id"]!.GetValue<string>().ShouldMatch("^chatcmpl-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
        json["object"]!.GetValue<string>().ShouldBe("chat.completion");
        json["system_fingerprint"]!.GetValue<string>().ShouldMatch("^fp_[0-9a-f]{10}$");
        json["x_groq"]!["id"]!.GetValue<string>().ShouldBe(response.Headers.GetValues("x-request-id").Single());
        json["choices"]![0]!["finish_reason"]!.GetValue<string>().ShouldBe("stop");
        var usage = json["usage"]!;
        (usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>()).ShouldBe(usage["total_tokens"]!.GetValue<int>());
        usage["total_time"]!.GetValue<double>().ShouldBe(usage["prompt_time"]!.GetValue<double>() + usage["completion_time"]!.GetValue<double>(), 1e-6);
        foreach (var header in new[] { "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens" })
            response.Headers.Contains(header).ShouldBeTrue(header);
        response.Headers.GetValues("x-ratelimit-reset-requests").Single().ShouldMatch(@"^(\d+h)?(\d+m)?[\d.]+m?s$");
    }

    [Test]
    public async Task Groq_stream_puts_x_groq_id_on_first_and_final_chunks_and_usage_last()
    {
        var scope = Groq.OpenScope("groq stream shape");
        var (response, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions",
            ChatBody(GroqModel, stream: true, extra: ",\"stream_options\":{\"include_usage\":true}")));

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var lines = DataLines(body);
        lines[^1].ShouldBe("[DONE]");
        var chunks = lines[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        chunks.Select(c => c["id"]!.GetValue<string>()).Distinct().Count().ShouldBe(1);
        chunks.ShouldAllBe(c => c["object"]!.GetValue<string>() == "chat.completion.chunk");

        var withXGroq = chunks.Select((c, i) => (c, i)).Where(x => x.c["x_groq"] is not null).Select(x => x.i).ToList();
        withXGroq.ShouldBe([0, chunks.Count - 2]);
        chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>().ShouldBe("assistant");
        var final = chunks[^2];
        final["choices"]![0]!["finish_reason"]!.GetValue<string>().ShouldBe("stop");
        final["x_groq"]!["usage"]!["completion_tokens"].ShouldNotBeNull();
        var usageChunk = chunks[^1];
        usageChunk["choices"]!.AsArray().Count.ShouldBe(0);
        usageChunk["usage"]!["total_tokens"]!.GetValue<int>().ShouldBeGreaterThan(0);
        chunks[1]["usage"].ShouldBeNull();
    }

    [Test]
    public async Task Groq_usage_timings_match_the_pacing_recorded_for_the_request()
    {
        var scope = Groq.OpenScope("groq timings are served truth");
        scope.UseLatencyScale(1.0);
        scope.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(60), tokensPerSecond: 2000, tokensPerChunk: 5));
        var (_, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, stream: true)));

        var usage = JsonNode.Parse(DataLines(body)[^2])!["x_groq"]!["usage"]!;
        var served = scope.Requests.Single().Timing;
        usage["queue_time"]!.GetValue<double>().ShouldBe(served.QueueDelay.TotalSeconds, 1e-6);
        usage["prompt_time"]!.GetValue<double>().ShouldBe((served.FirstChunkDelay!.Value - served.QueueDelay).TotalSeconds, 1e-6);
        usage["completion_time"]!.GetValue<double>().ShouldBe(served.ChunkGaps.Sum(g => g.TotalSeconds), 1e-6);
        served.QueueDelay.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(30));
        served.FirstChunkDelay!.Value.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90));
        served.ChunkCount.ShouldBe(served.ChunkGaps.Count + 1);
    }

    [Test]
    public async Task Together_completion_uses_eos_seed_and_token_only_usage()
    {
        var scope = Together.OpenScope("together completion shape");
        var (response, body) = await SendAsync(Post(Together, scope.ApiKey, "/chat/completions", ChatBody(TogetherModel)));

        ((int)response.StatusCode).ShouldBe(200);
        var json = JsonNode.Parse(body)!;
        json["id"]!.GetValue<string>().ShouldMatch("^[0-9a-f]{16}-[A-Z]{3}$");
        json["choices"]![0]!["finish_reason"]!.GetValue<string>().ShouldBe("eos");
        json["prompt"]!.AsArray().Count.ShouldBe(0);
        json["usage"]!.AsObject().Select(p => p.Key).ShouldBe(["prompt_tokens", "completion_tokens", "total_tokens"]);
        json["x_groq"].ShouldBeNull();
        foreach (var header in new[] { "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-tokenlimit-limit", "x-tokenlimit-remaining", "x-request-id" })
            response.Headers.Contains(header).ShouldBeTrue(header);
    }

    [Test]
    public async Task Together_stream_carries_usage_and_eos_on_the_final_chunk_then_done()
    {
        var scope = Together.OpenScope("together stream shape");
        var (_, body) = await SendAsync(Post(Together, scope.ApiKey, "/chat/completions", ChatBody(TogetherModel, stream: true)));

        var lines = DataLines(body);
        lines[^1].ShouldBe("[DONE]");
        var final = JsonNode.Parse(lines[^2])!;
        final["choices"]![0]!["finish_reason"]!.GetValue<string>().ShouldBe("eos");
        final["usage"]!["completion_tokens"]!.GetValue<int>().ShouldBe(scope.Requests.Single().CompletionTokens);
        JsonNode.Parse(lines[0])!["usage"].ShouldBeNull();
    }

    [Test]
    public async Task The_same_prompt_gets_the_same_reply_and_max_tokens_cuts_it_with_length()
    {
        var scope = Groq.OpenScope("determinism and max tokens");
        var first = JsonNode.Parse((await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, "Tell me a story")))).Body)!;
        var again = JsonNode.Parse((await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, "Tell me a story")))).Body)!;
        var capped = JsonNode.Parse((await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, "Tell me a story", extra: ",\"max_completion_tokens\":5")))).Body)!;
        var legacyCap = JsonNode.Parse((await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, "Tell me a story", extra: ",\"max_tokens\":3")))).Body)!;

        var content = first["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        again["choices"]![0]!["message"]!["content"]!.GetValue<string>().ShouldBe(content);
        capped["choices"]![0]!["finish_reason"]!.GetValue<string>().ShouldBe("length");
        capped["usage"]!["completion_tokens"]!.GetValue<int>().ShouldBe(5);
        content.ShouldStartWith(capped["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        legacyCap["usage"]!["completion_tokens"]!.GetValue<int>().ShouldBe(3);
    }

    [Test]
    public async Task A_stop_sequence_cuts_the_reply_before_it()
    {
        var scope = Groq.OpenScope("stop sequences");
        var full = JsonNode.Parse((await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, "Explain")))).Body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        var stop = full.Split(' ')[3];
        var cut = JsonNode.Parse((await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, "Explain", extra: $",\"stop\":[\"{stop}\"]")))).Body)!["choices"]![0]!;

        cut["finish_reason"]!.GetValue<string>().ShouldBe("stop");
        cut["message"]!["content"]!.GetValue<string>().ShouldBe(full[..full.IndexOf(stop, StringComparison.Ordinal)]);
    }

    [Test]
    public async Task Json_modes_return_json_and_schema_mode_fills_every_required_property()
    {
        var scope = Groq.OpenScope("json modes");
        var jsonObject = JsonNode.Parse((await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions",
            ChatBody(GroqModel, "Answer in JSON", extra: ",\"response_format\":{\"type\":\"json_object\"}")))).Body)!;
        JsonNode.Parse(jsonObject["choices"]![0]!["message"]!["content"]!.GetValue<string>()).ShouldBeOfType<JsonObject>();

        const string schema = """
            {"type":"object","required":["name","age","tags","tier","active"],"properties":{
              "name":{"type":"string","minLength":3},"age":{"type":"integer","minimum":18,"maximum":99},
              "score":{"type":"number"},"tags":{"type":"array","items":{"type":"string"},"minItems":2},
              "tier":{"enum":["free","dev"]},"active":{"type":"boolean"}}}
            """;
        var (response, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions",
            ChatBody("openai/gpt-oss-20b", "Describe a user", extra: $",\"response_format\":{{\"type\":\"json_schema\",\"json_schema\":{{\"name\":\"user\",\"schema\":{schema}}}}}")));
        ((int)response.StatusCode).ShouldBe(200, body);
        var value = JsonNode.Parse(JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>())!;
        value["name"]!.GetValue<string>().Length.ShouldBeGreaterThanOrEqualTo(3);
        value["age"]!.GetValue<long>().ShouldBeInRange(18, 99);
        value["tags"]!.AsArray().Count.ShouldBeGreaterThanOrEqualTo(2);
        value["tier"]!.GetValue<string>().ShouldBeOneOf("free", "dev");
        value["active"]!.GetValueKind().ShouldBeOneOf(System.Text.Json.JsonValueKind.True, System.Text.Json.JsonValueKind.False);
    }

    [Test]
    public async Task Groq_refuses_json_schema_on_a_model_without_structured_outputs()
    {
        var (response, body) = await SendAsync(Post(Groq, Groq.DefaultApiKey, "/chat/completions",
            ChatBody(GroqModel, extra: ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\"}}}")));
        ((int)response.StatusCode).ShouldBe(400);
        JsonNode.Parse(body)!["error"]!["message"]!.GetValue<string>().ShouldStartWith("This model does not support response format `json_schema`");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Every_answer_says_when_its_first_chunk_left_so_a_client_can_take_measured_minus_served(bool stream)
    {
        var scope = Groq.OpenScope($"served header {stream}");
        var (response, _) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", ChatBody(GroqModel, stream: stream)));

        var header = response.Headers.GetValues(ServedTimingHeader.Name).Single();
        header.ShouldMatch(stream ? @"^first-chunk-ms=[\d.]+; chunk-gap-ms=[\d.]+$" : @"^first-chunk-ms=[\d.]+$");
        var firstChunkMs = double.Parse(header.Split(';')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        var served = scope.Requests.Single().Timing.FirstChunkDelay!.Value.TotalMilliseconds;
        firstChunkMs.ShouldBe(served, 1.0, "the header is taken just before the first chunk is written, as the request log's served timing is");
    }
}
