using System.Collections.Concurrent;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>Issue 8 item 3: a simulated run never reaches a base URL off the loopback interface.</summary>
[TestFixture]
[NonParallelizable] // sets process environment variables
public sealed class LoopbackOnlyTests
{
    [TestCase("http://127.0.0.1:5301/openai/v1")]
    [TestCase("http://localhost:5301/v1")]
    [TestCase("http://[::1]:5301/v1")]
    public void A_loopback_base_url_is_accepted(string url) =>
        SpecTarget.RequireLoopback(new Uri(url), "Groq").ShouldBe(new Uri(url));

    [TestCase("https://api.groq.com/openai/v1", "api.groq.com")]
    [TestCase("http://0.0.0.0:5301/v1", "0.0.0.0")]
    [TestCase("http://192.168.1.10:5301/v1", "192.168.1.10")]
    [TestCase("http://localhost.example.com/v1", "localhost.example.com")]
    [TestCase("http://127.0.0.1.nip.io/v1", "127.0.0.1.nip.io")]
    public void A_base_url_off_loopback_is_refused_with_a_clear_message(string url, string host)
    {
        var message = Should.Throw<InvalidOperationException>(() => SpecTarget.RequireLoopback(new Uri(url), "Groq")).Message;
        message.ShouldContain($"host '{host}' is not on the loopback interface");
        message.ShouldContain("SPECS_TARGET=live");
    }

    [Test]
    public void A_relative_base_url_is_refused() =>
        Should.Throw<InvalidOperationException>(() => SpecTarget.RequireLoopback(new Uri("/openai/v1", UriKind.Relative), "Groq"))
            .Message.ShouldContain("not on the loopback interface");

    [Test]
    public async Task Off_loopback_BASE_URL_variables_are_never_used_by_the_simulated_target()
    {
        // A host that cannot resolve (RFC 6761 .invalid): even a broken build could not send anything anywhere.
        var overrides = new Dictionary<string, string>
        {
            ["GROQ_BASE_URL"] = "http://groq-off-loopback.invalid/openai/v1",
            ["TOGETHER_BASE_URL"] = "http://together-off-loopback.invalid/v1",
        };
        var before = overrides.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in overrides) Environment.SetEnvironmentVariable(name, value);
        try
        {
            await using var target = await SpecTarget.StartAsync(TargetKind.Simulated);
            foreach (var (provider, model) in new[] { ("groq", "llama-3.1-8b-instant"), ("together_ai", "meta-llama/Meta-Llama-3-8B-Instruct-Lite") })
            {
                var guard = new LoopbackGuard(new SocketsHttpHandler());
                using var http = new HttpClient(guard) { Timeout = Timeout.InfiniteTimeSpan };
                var endpoint = target.Endpoint(provider, "off-loopback base URL variables");
                endpoint.BaseUrl!.IsLoopback.ShouldBeTrue();

                await using var session = endpoint.OpenSession(o => new ProviderSessionOptions { ApiKey = o.ApiKey, BaseUrl = o.BaseUrl, HttpClient = http });
                session.BaseUrlSource.ShouldBe(BaseUrlSource.SessionOption, "the simulated target passes its own base URL explicitly");
                session.BaseUrl.ShouldBe(endpoint.BaseUrl);

                using var chat = session.CreateChatClient(model);
                var reply = await chat.CompleteAsync("Hello");
                reply.Text.ShouldNotBeNullOrEmpty();
                var stream = chat.Stream("Hello again");
                (await stream.CollectAsync()).FinishReason.ShouldNotBeNull();

                guard.Hosts.ShouldNotBeEmpty();
                guard.Hosts.ShouldAllBe(h => h == "127.0.0.1", "every request went to the simulator");
                endpoint.RequireScope().Requests.Count.ShouldBe(2, "the simulator received both calls");
            }
        }
        finally
        {
            foreach (var (name, value) in before) Environment.SetEnvironmentVariable(name, value);
        }
    }

    /// <summary>Records every request's host and refuses (without sending) any that is not loopback.</summary>
    private sealed class LoopbackGuard(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public ConcurrentQueue<string> Hosts { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Hosts.Enqueue(request.RequestUri!.Host);
            if (!request.RequestUri.IsLoopback)
                throw new InvalidOperationException($"a simulated run tried to reach {request.RequestUri.Host}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
