using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ProviderSpecs.Simulators;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// Record → scrub → replay end to end, against a fake "upstream" on 127.0.0.1 that wants its own key.
/// No real provider is ever contacted.
/// </summary>
public sealed class RecordReplayTests
{
    private const string UpstreamKey = "up_fake_key_01";
    private const string Model = "llama-3.1-8b-instant";
    private const int ChunkGapMs = 25;
    private static readonly string[] Words = ["Hello", " from", " the", " fake", " upstream", "."];

    // Built at run time so no key-shaped literal sits in the source; the upstream echoes it to prove bodies are scrubbed.
    private static readonly string KeyShapedEcho = "gsk_" + new string('Q', 24);

    [Test]
    public async Task Recorded_answers_are_scrubbed_and_replay_without_the_upstream_with_the_same_content_paced()
    {
        var directory = Directory.CreateTempSubdirectory("sim-recordings-");
        try
        {
            string upstreamStream, upstreamJson, upstreamModels;
            await using (var upstream = await FakeUpstream.StartAsync())
            {
                await using var recorder = await SimulatedProviders.StartAsync(new SimulatorOptions
                {
                    Providers = [ProviderIds.Groq],
                    Record = new RecordOptions { UpstreamBaseUrls = { [ProviderIds.Groq] = new Uri(upstream.BaseUrl + "/openai/v1") }, Directory = directory.FullName },
                });
                var groq = recorder[ProviderIds.Groq];
                groq.IsRecording.ShouldBeTrue();

                var (denied, _) = await SendAsync(Post(groq, "not_the_upstream_key", "/chat/completions", ChatBody(Model)));
                denied.StatusCode.ShouldBe(HttpStatusCode.Unauthorized); // the upstream decides who gets in

                var (streamResponse, streamBody) = await SendAsync(Post(groq, UpstreamKey, "/chat/completions", ChatBody(Model, stream: true)));
                streamResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
                upstreamStream = Content(streamBody);
                upstreamStream.ShouldBe(string.Concat(Words));
                var (_, jsonBody) = await SendAsync(Post(groq, UpstreamKey, "/chat/completions", ChatBody(Model)));
                upstreamJson = JsonNode.Parse(jsonBody)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
                var (_, modelsBody) = await SendAsync(Get(groq, UpstreamKey, "/models"));
                upstreamModels = modelsBody;
                upstream.Requests.ShouldBe(4);
            }

            // The 401 is not stored: an authentication failure is no answer worth replaying.
            var files = Directory.GetFiles(Path.Combine(directory.FullName, ProviderIds.Groq), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            files.ShouldBe(["chat-completions.llama-3.1-8b-instant.json.json", "chat-completions.llama-3.1-8b-instant.stream.json", "models.json"]);
            foreach (var file in Directory.GetFiles(directory.FullName, "*", SearchOption.AllDirectories))
            {
                var text = await File.ReadAllTextAsync(file);
                text.ShouldNotContain(UpstreamKey, customMessage: file);
                text.ShouldNotContain("not_the_upstream_key", customMessage: file);
                text.ShouldNotContain(KeyShapedEcho, customMessage: file);
                text.ShouldNotContain("org_0123456789abcdef", customMessage: file);
                text.ShouldNotContain("req_upstream_", customMessage: file);
                RecordingScrubber.LooksLikeKey(text).ShouldBeFalse(file);
                var recording = Recording.Load(file);
                recording.Headers.Keys.ShouldNotContain("date");
                recording.Headers.Keys.ShouldNotContain("server");
                recording.Headers.Keys.ShouldNotContain("set-cookie");
                recording.Headers.Keys.ShouldNotContain("cf-ray");
                recording.Headers["x-request-id"].ShouldBe(RecordingScrubber.RequestIdPlaceholder);
            }
            var streamed = Recording.Load(Path.Combine(directory.FullName, ProviderIds.Groq, "chat-completions.llama-3.1-8b-instant.stream.json"));
            streamed.Chunks!.Count.ShouldBe(Words.Length + 3); // the role chunk, content chunks, the final chunk, [DONE]
            // The upstream paced its words 25 ms apart; the gaps are kept (a lower bound with room for a loaded machine).
            streamed.Chunks.Skip(2).Take(Words.Length - 1).Sum(c => c.GapMs).ShouldBeGreaterThan((Words.Length - 1) * ChunkGapMs * 0.5,
                string.Join(", ", streamed.Chunks.Select(c => c.GapMs)));
            streamed.Headers["x-ratelimit-limit-requests"].ShouldBe("14400");

            // Replay: the upstream is gone; a scope key of the simulator gets the recorded answers, paced.
            await using var replay = await SimulatedProviders.StartAsync(new SimulatorOptions
            {
                Providers = [ProviderIds.Groq],
                Replay = new ReplayOptions { Directory = directory.FullName },
            });
            var simulated = replay[ProviderIds.Groq];
            simulated.RecordingCount.ShouldBe(3);
            var scope = simulated.OpenScope("replay");

            var (replayed, replayedBody) = await SendAsync(Post(simulated, scope.ApiKey, "/chat/completions",
                ChatBody(Model, prompt: "a different prompt: matching ignores the body", stream: true)));
            replayed.StatusCode.ShouldBe(HttpStatusCode.OK);
            replayed.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
            Content(replayedBody).ShouldBe(upstreamStream);
            var lines = DataLines(replayedBody);
            lines.Count.ShouldBe(streamed.Chunks.Count);
            var requestId = replayed.Headers.GetValues("x-request-id").Single();
            requestId.ShouldNotBe(RecordingScrubber.RequestIdPlaceholder);
            JsonNode.Parse(lines[0])!["x_groq"]!["id"]!.GetValue<string>().ShouldBe(requestId);

            var served = scope.Requests.Single();
            served.FaultsApplied.ShouldContain("replayed");
            served.Timing.ChunkCount.ShouldBe(streamed.Chunks.Count - 1);
            var recordedSpan = streamed.Chunks.Sum(c => c.GapMs);
            served.Timing.Total.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(recordedSpan - 2); // paced: never faster than recorded

            var (_, replayedJson) = await SendAsync(Post(simulated, scope.ApiKey, "/chat/completions", ChatBody(Model)));
            JsonNode.Parse(replayedJson)!["choices"]![0]!["message"]!["content"]!.GetValue<string>().ShouldBe(upstreamJson);
            var (_, replayedModels) = await SendAsync(Get(simulated, scope.ApiKey, "/models"));
            JsonNode.DeepEquals(JsonNode.Parse(replayedModels), JsonNode.Parse(upstreamModels)).ShouldBeTrue();

            // Nothing recorded for this model: simulated as usual.
            var (other, otherBody) = await SendAsync(Post(simulated, scope.ApiKey, "/chat/completions", ChatBody("llama-3.3-70b-versatile")));
            other.StatusCode.ShouldBe(HttpStatusCode.OK);
            otherBody.ShouldNotContain("fake upstream");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void The_scrubber_removes_keys_credentials_and_organisations_from_bodies_and_drops_volatile_headers()
    {
        var body = RecordingScrubber.Body(
            $"{{\"api_key\":\"anything\",\"note\":\"key {KeyShapedEcho} in org_0123456789abcdef\",\"echo\":\"my_secret_value\",\"max_tokens\":5}}",
            ["my_secret_value"])!;
        body["api_key"]!.GetValue<string>().ShouldBe(RecordingScrubber.Scrubbed);
        body["note"]!.GetValue<string>().ShouldBe($"key {RecordingScrubber.Scrubbed} in org_{RecordingScrubber.Scrubbed}");
        body["echo"]!.GetValue<string>().ShouldBe(RecordingScrubber.Scrubbed);
        body["max_tokens"]!.GetValue<int>().ShouldBe(5);

        var headers = RecordingScrubber.Headers(
            [new("Date", "Mon"), new("Server", "cloudflare"), new("Set-Cookie", "__cf_bm=x"), new("CF-RAY", "1"), new("X-Request-Id", "req_1"),
             new("Content-Type", "application/json"), new("x-ratelimit-remaining-tokens", "5999")], []);
        headers.Keys.Order().ShouldBe(["content-type", "x-ratelimit-remaining-tokens", "x-request-id"]);
        headers["x-request-id"].ShouldBe(RecordingScrubber.RequestIdPlaceholder);
    }

    [Test]
    public void Committed_recordings_load_and_are_clean()
    {
        var directory = Path.Combine(FixturesLocator.Find(), "recordings");
        File.Exists(Path.Combine(directory, "README.md")).ShouldBeTrue();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories))
        {
            var recording = Recording.Load(file);
            Path.GetFileName(file).ShouldBe(recording.FileName());
            ProviderIds.All.ShouldContain(recording.Provider);
            recording.Headers.Keys.ShouldNotContain("authorization");
            RecordingScrubber.LooksLikeKey(File.ReadAllText(file)).ShouldBeFalse(file);
        }
    }

    private static string Content(string sse) => string.Concat(DataLines(sse).Where(l => l != "[DONE]")
        .Select(l => JsonNode.Parse(l)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>() ?? ""));

    /// <summary>A stand-in for a live provider on 127.0.0.1: Groq-shaped answers, its own key, volatile headers and a key-shaped echo.</summary>
    private sealed class FakeUpstream : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private FakeUpstream(WebApplication app) => _app = app;

        public string BaseUrl => _app.Urls.Single();
        public int Requests => _requests;

        public static async Task<FakeUpstream> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var upstream = new FakeUpstream(app);
            app.Run(upstream.HandleAsync);
            await app.StartAsync();
            return upstream;
        }

        private async Task HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref _requests);
            var response = context.Response;
            var requestId = "req_upstream_" + _requests.ToString("00");
            response.Headers["date"] = "Mon, 01 Jan 2029 00:00:00 GMT";
            response.Headers["server"] = "cloudflare";
            response.Headers["set-cookie"] = "__cf_bm=abc; path=/";
            response.Headers["cf-ray"] = "8f00000000000000-SJC";
            response.Headers["x-request-id"] = requestId;
            response.Headers["x-ratelimit-limit-requests"] = "14400";
            if (context.Request.Headers.Authorization != "Bearer " + UpstreamKey)
            {
                response.StatusCode = 401;
                await response.WriteAsJsonAsync(new { error = new { message = "Invalid API Key", type = "invalid_request_error", code = "invalid_api_key" } });
                return;
            }
            if (context.Request.Path == "/openai/v1/models")
            {
                response.ContentType = "application/json";
                await response.WriteAsync($"{{\"object\":\"list\",\"data\":[{{\"id\":\"{Model}\",\"object\":\"model\",\"created\":1693721698,\"owned_by\":\"Meta\",\"active\":true,\"context_window\":131072}}]}}");
                return;
            }
            var request = await JsonNode.ParseAsync(context.Request.Body);
            var header = $"\"id\":\"chatcmpl-fake\",\"created\":1,\"model\":\"{Model}\"";
            if (request!["stream"]?.GetValue<bool>() != true)
            {
                response.ContentType = "application/json";
                await response.WriteAsync($"{{{header},\"object\":\"chat.completion\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{string.Concat(Words)}\"}},\"finish_reason\":\"stop\"}}],\"x_groq\":{{\"id\":\"{requestId}\"}},\"echo\":\"{KeyShapedEcho} org_0123456789abcdef\"}}");
                return;
            }
            response.ContentType = "text/event-stream";
            async Task Event(string json)
            {
                await response.WriteAsync("data: " + json + "\n\n");
                await response.Body.FlushAsync();
            }
            await Event($"{{{header},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"\"}},\"finish_reason\":null}}],\"x_groq\":{{\"id\":\"{requestId}\"}}}}");
            foreach (var (word, i) in Words.Select((w, i) => (w, i)))
            {
                if (i > 0) await Task.Delay(ChunkGapMs);
                await Event($"{{{header},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{word}\"}},\"finish_reason\":null}}]}}");
            }
            await Event($"{{{header},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}],\"x_groq\":{{\"id\":\"{requestId}\",\"note\":\"{KeyShapedEcho}\"}}}}");
            await Event("[DONE]");
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
