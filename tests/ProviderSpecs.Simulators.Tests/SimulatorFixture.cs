using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ProviderSpecs.Simulators;

[assembly: Parallelizable(ParallelScope.Fixtures)]

namespace ProviderSpecs.Simulators.Tests;

/// <summary>The simulators are started once for the whole test assembly, as a suite would.</summary>
[SetUpFixture]
public sealed class SimulatorFixture
{
    public static SimulatedProviders Providers { get; private set; } = null!;
    public static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    [OneTimeSetUp]
    public async Task StartAsync() =>
        Providers = await SimulatedProviders.StartAsync(new SimulatorOptions { Seed = 42, TimeScale = 0.02 });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await Providers.DisposeAsync();
        Http.Dispose();
    }

    public static SimulatedProvider Groq => Providers[ProviderIds.Groq];
    public static SimulatedProvider Together => Providers[ProviderIds.TogetherAi];

    public static HttpRequestMessage Post(SimulatedProvider provider, string key, string path, string json, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, provider.BaseUrl + path)
        {
            Content = new StringContent(json, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    public static HttpRequestMessage Get(SimulatedProvider provider, string key, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, provider.BaseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    public static string ChatBody(string model, string prompt = "Say hello", bool stream = false, string extra = "") =>
        new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
            ["stream"] = stream,
        }.ToJsonString().TrimEnd('}') + extra + "}";

    public static async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpRequestMessage request)
    {
        var response = await Http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The JSON payloads of an SSE body's data lines, [DONE] included as a string.</summary>
    public static List<string> DataLines(string sse) =>
        sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.StartsWith("data: ", StringComparison.Ordinal) ? e["data: ".Length..] : throw new FormatException($"Not an SSE data event: {e}"))
            .ToList();
}
