using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenAI;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProviderSpecs.Providers.Credentials;
using CredentialResolver = ProviderSpecs.Providers.Credentials.CredentialResolver;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// Overhead of the provider layer over a raw HttpClient call, against an in-process loopback Kestrel endpoint
/// answering canned Groq replies with zero delay. Prints figures; asserts only that the calls worked.
/// Run: dotnet test tests/ProviderSpecs.Providers.Tests --filter "FullyQualifiedName~LayerOverheadBenchmark" --logger "console;verbosity=detailed"
/// </summary>
[Explicit("benchmark")]
[Category("benchmark")]
[NonParallelizable]
public class LayerOverheadBenchmark
{
    private const int StreamChunks = 500;
    private const int RequestIterations = 2000;
    private const int StreamIterations = 200;
    private static readonly byte[] Completion = Encoding.UTF8.GetBytes(Stub.GroqCompletion());
    private static readonly byte[] SseBody = BuildSse();
    // What the OpenAI SDK sends for CompleteAsync("Say hi") (same size and shape), posted by the raw baseline.
    private static readonly string RequestBody = """{"messages":[{"role":"user","content":"Say hi"}],"model":"llama-3.1-8b-instant"}""";
    private static readonly string StreamRequestBody = """{"messages":[{"role":"user","content":"Say hi"}],"model":"llama-3.1-8b-instant","stream":true,"stream_options":{"include_usage":true}}""";

    private WebApplication _app = null!;
    private Uri _root = null!;

    private static byte[] BuildSse()
    {
        var text = new StringBuilder();
        for (var i = 0; i < StreamChunks - 1; i++) text.Append(Stub.Chunk($"tok{i % 1000:000} ", extra: i == 0 ? ",\"x_groq\":{\"id\":\"req_bench\"}" : ""));
        text.Append(Stub.Chunk("", "stop", ",\"x_groq\":{\"id\":\"req_bench\",\"usage\":{\"queue_time\":0.01,\"prompt_tokens\":7,\"prompt_time\":0.002,\"completion_tokens\":499,\"completion_time\":0.5,\"total_tokens\":506,\"total_time\":0.502}}"));
        text.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [OneTimeSetUp]
    public async Task StartServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/json/openai/v1/chat/completions", async (HttpContext http) =>
        {
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = Completion.Length;
            await http.Response.Body.WriteAsync(Completion);
        });
        _app.MapPost("/sse/openai/v1/chat/completions", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/event-stream";
            await http.Response.Body.WriteAsync(SseBody);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _root = new Uri(address);
        _root.Host.ShouldBe("127.0.0.1");
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _app.DisposeAsync();

    private static HttpClient NewClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    private ProviderSession NewSession(string kind, HttpClient http) => ProviderSession.Open("groq", new ProviderSessionOptions
    {
        ApiKey = Stub.GroqKey, BaseUrl = new Uri(_root, $"/{kind}/openai/v1"), HttpClient = http,
        Environment = Stub.EmptyEnvironment(), Resilience = ResilienceOptions.NoRetries,
    });

    /// <summary>The OpenAI SDK + M.E.AI stack the layer wraps, configured the same way but without the layer.</summary>
    private IChatClient BareSdk(string kind, HttpClient http) =>
        new OpenAIClient(new ApiKeyCredential(Stub.GroqKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(_root, $"/{kind}/openai/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(http), NetworkTimeout = Timeout.InfiniteTimeSpan,
        }).GetChatClient("llama-3.1-8b-instant").AsIChatClient();

    private async Task<int> RawAsync(HttpClient http, string kind, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_root, $"/{kind}/openai/v1/chat/completions"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", Stub.GroqKey);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[16 * 1024];
        int read, total = 0;
        while ((read = await stream.ReadAsync(buffer)) > 0) total += read;
        return total;
    }

    [Test]
    public async Task Non_streaming_overhead_per_request()
    {
        using var rawHttp = NewClient();
        using var layerHttp = NewClient();
        await using var session = NewSession("json", layerHttp);
        var chat = session.CreateChatClient("llama-3.1-8b-instant");
        for (var i = 0; i < 200; i++)
        {
            (await RawAsync(rawHttp, "json", RequestBody)).ShouldBe(Completion.Length);
            (await chat.CompleteAsync("Say hi")).Text.ShouldBe("Hello!");
        }
        var raw = new double[RequestIterations];
        var layer = new double[RequestIterations];
        for (var i = 0; i < RequestIterations; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await RawAsync(rawHttp, "json", RequestBody);
            raw[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
            t = Stopwatch.GetTimestamp();
            await chat.CompleteAsync("Say hi");
            layer[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        using var sdkHttp = NewClient();
        var sdk = BareSdk("json", sdkHttp);
        for (var i = 0; i < 200; i++) (await sdk.GetResponseAsync("Say hi")).Text.ShouldBe("Hello!");
        var bare = new double[RequestIterations];
        for (var i = 0; i < RequestIterations; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await sdk.GetResponseAsync("Say hi");
            bare[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Report("  layer vs the bare OpenAI SDK + M.E.AI IChatClient it wraps (bare run after the pair)", bare, layer, "bare SDK      ");
        var allocRaw = await AllocatedPerCall(() => RawAsync(rawHttp, "json", RequestBody), 200);
        var allocLayer = await AllocatedPerCall(() => chat.CompleteAsync("Say hi"), 200);
        Report($"non-streaming, {RequestIterations} requests", raw, layer);
        TestContext.Out.WriteLine($"  allocated per request: raw {allocRaw / 1024.0:0.0} KiB, layer {allocLayer / 1024.0:0.0} KiB (+{(allocLayer - allocRaw) / 1024.0:0.0} KiB; both include the in-process server)");
    }

    [Test]
    public async Task Streaming_overhead_and_allocations_per_chunk()
    {
        using var rawHttp = NewClient();
        using var layerHttp = NewClient();
        await using var session = NewSession("sse", layerHttp);
        var chat = session.CreateChatClient("llama-3.1-8b-instant");
        for (var i = 0; i < 20; i++)
        {
            (await RawAsync(rawHttp, "sse", StreamRequestBody)).ShouldBe(SseBody.Length);
            var warm = await chat.Stream("Say hi").CollectAsync();
            warm.StreamedChunks.ShouldBeGreaterThanOrEqualTo(StreamChunks - 1);
            warm.Usage!.ProviderTimings!.TotalSeconds.ShouldBe(0.502);
        }
        using var sdkHttp = NewClient();
        var sdk = BareSdk("sse", sdkHttp);
        async Task<int> SdkStream()
        {
            var n = 0;
            await foreach (var _ in sdk.GetStreamingResponseAsync("Say hi")) n++;
            return n;
        }
        for (var i = 0; i < 20; i++) (await SdkStream()).ShouldBeGreaterThanOrEqualTo(StreamChunks - 1);
        var raw = new double[StreamIterations];
        var bare = new double[StreamIterations];
        var layer = new double[StreamIterations];
        for (var i = 0; i < StreamIterations; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await RawAsync(rawHttp, "sse", StreamRequestBody);
            raw[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
            t = Stopwatch.GetTimestamp();
            await SdkStream();
            bare[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
            t = Stopwatch.GetTimestamp();
            await foreach (var _ in chat.Stream("Say hi")) { }
            layer[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Report($"streaming, {StreamChunks} chunks, {StreamIterations} streams", raw, layer);
        Report("  same streams, layer vs the bare OpenAI SDK + M.E.AI IChatClient it wraps", bare, layer, "bare SDK      ");

        var allocRaw = await AllocatedPerCall(() => RawAsync(rawHttp, "sse", StreamRequestBody), 50);
        var allocBare = await AllocatedPerCall(SdkStream, 50);
        var allocLayer = await AllocatedPerCall(async () => { await foreach (var _ in chat.Stream("Say hi")) { } return 0; }, 50);
        var perChunk = (allocLayer - allocRaw) / StreamChunks;
        TestContext.Out.WriteLine($"  allocated per chunk: bare SDK minus raw {(allocBare - allocRaw) / StreamChunks:0} bytes; layer minus bare SDK {(allocLayer - allocBare) / StreamChunks:0} bytes");
        // The text itself: one string per chunk ("tok123 " = 7 chars → 22 + 2*7 bytes, rounded to 8 = 40 bytes).
        TestContext.Out.WriteLine($"  allocated per stream: raw {allocRaw / 1024.0:0.0} KiB, layer {allocLayer / 1024.0:0.0} KiB; "
                                  + $"layer minus raw per chunk: {perChunk:0} bytes (the chunk's text string alone is ~40 bytes)");
        perChunk.ShouldBeGreaterThan(0);

        // Client CPU per chunk (this process: the in-process server's share is the same for every path, and is in raw).
        var cpuRaw = await CpuPerCall(() => RawAsync(rawHttp, "sse", StreamRequestBody), 50);
        var cpuBare = await CpuPerCall(SdkStream, 50);
        var cpuLayer = await CpuPerCall(async () => { await foreach (var _ in chat.Stream("Say hi")) { } return 0; }, 50);
        TestContext.Out.WriteLine($"  process CPU per chunk (server included): raw {cpuRaw / StreamChunks:0.00} µs, bare SDK + M.E.AI {cpuBare / StreamChunks:0.00} µs, "
                                  + $"provider layer {cpuLayer / StreamChunks:0.00} µs; over raw: bare SDK +{(cpuBare - cpuRaw) / StreamChunks:0.00} µs, layer +{(cpuLayer - cpuRaw) / StreamChunks:0.00} µs");
        TestContext.Out.WriteLine($"  allocated per chunk over raw: bare SDK + M.E.AI {(allocBare - allocRaw) / StreamChunks:0} B, provider layer {(allocLayer - allocRaw) / StreamChunks:0} B");
    }

    private static async Task<double> CpuPerCall<T>(Func<Task<T>> call, int n)
    {
        await call();
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        for (var i = 0; i < n; i++) await call();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMicroseconds / n;
    }

    [Test]
    public void Credential_lookup_cost_per_source()
    {
        var groq = ProviderRegistry.Default.Resolve("groq");
        var dir = Directory.CreateTempSubdirectory("providerspecs-bench-");
        try
        {
            var work = Directory.CreateDirectory(Path.Combine(dir.FullName, "work")).FullName;
            var config = Path.Combine(dir.FullName, "config");
            Directory.CreateDirectory(Path.Combine(config, "providerspecs"));
            var emptyWork = Directory.CreateDirectory(Path.Combine(dir.FullName, "empty")).FullName;
            File.WriteAllText(Path.Combine(work, ".env"), $"OTHER=1\nGROQ_API_KEY={Stub.GroqKey}\n");
            var credentials = Path.Combine(config, "providerspecs", "credentials.json");
            File.WriteAllText(credentials, $$"""{"groq":"{{Stub.GroqKey}}"}""");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);

            var cases = new (string Source, CredentialResolver Resolver)[]
            {
                ("explicit", CredentialResolver.Standard(Stub.GroqKey, Env(_ => null, emptyWork, null))),
                ("environment", CredentialResolver.Standard(null, Env(name => name == "GROQ_API_KEY" ? Stub.GroqKey : null, emptyWork, null))),
                ("dotenv", CredentialResolver.Standard(null, Env(_ => null, work, null))),
                ("user-credentials-file", CredentialResolver.Standard(null, Env(_ => null, emptyWork, config))),
            };
            TestContext.Out.WriteLine("credential lookup (CredentialResolver.Resolve, whole chain until the answering source):");
            foreach (var (source, resolver) in cases)
            {
                for (var i = 0; i < 200; i++) resolver.Resolve(groq).Source.ShouldBe(source);
                const int n = 2000;
                var before = GC.GetAllocatedBytesForCurrentThread();
                var t = Stopwatch.GetTimestamp();
                for (var i = 0; i < n; i++) resolver.Resolve(groq);
                var micros = Stopwatch.GetElapsedTime(t).TotalMicroseconds / n;
                var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / n;
                TestContext.Out.WriteLine($"  {source,-22} {micros,8:0.00} µs/lookup  {bytes,7} B/lookup");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static CredentialEnvironment Env(Func<string, string?> variables, string workingDirectory, string? config) => new()
    {
        GetEnvironmentVariable = variables, WorkingDirectory = workingDirectory, UserConfigDirectory = config,
    };

    private static async Task<double> AllocatedPerCall<T>(Func<Task<T>> call, int n)
    {
        await call();
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < n; i++) await call();
        return (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / n;
    }

    private static void Report(string what, double[] raw, double[] layer, string baseline = "raw HttpClient")
    {
        Array.Sort(raw);
        Array.Sort(layer);
        double P(double[] a, double q) => a[Math.Min(a.Length - 1, (int)Math.Ceiling(q * a.Length) - 1)];
        TestContext.Out.WriteLine($"{what} (µs):");
        TestContext.Out.WriteLine($"  {baseline,-14}  median {P(raw, 0.5),9:0.0}  p99 {P(raw, 0.99),9:0.0}");
        TestContext.Out.WriteLine($"  provider layer  median {P(layer, 0.5),9:0.0}  p99 {P(layer, 0.99),9:0.0}");
        TestContext.Out.WriteLine($"  added           median {P(layer, 0.5) - P(raw, 0.5),9:0.0}  p99 {P(layer, 0.99) - P(raw, 0.99),9:0.0}"
                                  + $"  ratio median {P(layer, 0.5) / P(raw, 0.5):0.00}x  p99 {P(layer, 0.99) / P(raw, 0.99):0.00}x");
    }
}
