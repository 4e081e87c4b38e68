using System.Net;
using System.Text;
using ProviderSpecs.Providers.Credentials;

namespace ProviderSpecs.Providers.Tests;

/// <summary>In-process HTTP stub: answers queued canned responses and records every request it saw.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpResponseMessage>> _responses = new();
    public List<(HttpRequestMessage Request, string? Body)> Requests { get; } = [];

    public StubHandler Json(string body, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers) =>
        Enqueue(body, "application/json", status, headers);

    public StubHandler Sse(string body, params (string Name, string Value)[] headers) =>
        Enqueue(body, "text/event-stream", HttpStatusCode.OK, headers);

    /// <summary>Any body with any content type (e.g. JSON or HTML where an event stream was asked for).</summary>
    public StubHandler Raw(string body, string contentType, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers) =>
        Enqueue(body, contentType, status, headers);

    public StubHandler Throw(Exception exception)
    {
        _responses.Enqueue(() => throw exception);
        return this;
    }

    private StubHandler Enqueue(string body, string contentType, HttpStatusCode status, (string Name, string Value)[] headers)
    {
        _responses.Enqueue(() =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
            return response;
        });
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri!.Host.ShouldBe("127.0.0.1", "tests must only ever contact loopback");
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request, body));
        if (_responses.Count == 0) throw new InvalidOperationException("The stub has no response queued for " + request.RequestUri);
        return _responses.Dequeue()();
    }
}

internal static class Stub
{
    public const string GroqKey = "gsk_sim_test_0001";
    public const string TogetherKey = "tgp_sim_test_0002";

    public static CredentialEnvironment EmptyEnvironment(string? workingDirectory = null) => new()
    {
        GetEnvironmentVariable = _ => null,
        WorkingDirectory = workingDirectory ?? Path.Combine(Path.GetTempPath(), "providerspecs-none-" + Guid.NewGuid()),
        UserConfigDirectory = null,
    };

    public static ProviderSession Session(string provider, StubHandler handler, string? key = GroqKey, Resilience.ResilienceOptions? resilience = null) =>
        ProviderSession.Open(provider, new ProviderSessionOptions
        {
            ApiKey = key,
            BaseUrl = new Uri(provider.StartsWith("groq") ? "http://127.0.0.1:9/openai/v1" : "http://127.0.0.1:9/v1"),
            HttpClient = new HttpClient(handler),
            Environment = EmptyEnvironment(),
            Resilience = resilience ?? new Resilience.ResilienceOptions { MaxRetries = 0 },
        });

    public static string GroqCompletion(string content = "Hello!", string finish = "stop") => $$$"""
        {"id":"chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22","object":"chat.completion","created":1730241104,
         "model":"llama-3.1-8b-instant",
         "choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}"},"logprobs":null,"finish_reason":"{{{finish}}}"}],
         "usage":{"queue_time":0.037493756,"prompt_tokens":18,"prompt_time":0.000680594,"completion_tokens":556,
                  "completion_time":0.463333333,"total_tokens":574,"total_time":0.464013927},
         "system_fingerprint":"fp_179b0f92c9","x_groq":{"id":"req_01jbd6g2qdfw2adyrt2az8hz4w"}}
        """;

    public static string TogetherCompletion(string finish = "eos") => $$$"""
        {"id":"tog-1","object":"chat.completion","created":1733443200,"model":"meta-llama/Llama-3.3-70B-Instruct-Turbo",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hi there"},"finish_reason":"{{{finish}}}"}],
         "usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}
        """;

    public static string Chunk(string content, string? finish = null, string extra = "") =>
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content + "\"},\"finish_reason\":" + (finish is null ? "null" : $"\"{finish}\"") + "}]" + extra + "}\n\n";

    public static string GroqStream() =>
        Chunk("Hel", extra: ",\"x_groq\":{\"id\":\"req_stream_01\"}")
        + Chunk("lo")
        + Chunk("", "stop", ",\"x_groq\":{\"id\":\"req_stream_01\",\"usage\":{\"queue_time\":0.01,\"prompt_tokens\":7,\"prompt_time\":0.002,\"completion_tokens\":2,\"completion_time\":0.004,\"total_tokens\":9,\"total_time\":0.006}}")
        + "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}}\n\n"
        + "data: [DONE]\n\n";
}
