using System.Net;
using ProviderSpecs.Providers.Budget;

namespace ProviderSpecs.Providers.Tests;

[TestFixture]
public sealed class LiveBudgetTests
{
    [Test]
    public async Task Workers_racing_for_the_last_requests_spend_exactly_the_budget()
    {
        var budget = new LiveBudget(maxRequests: 100, maxTokens: long.MaxValue / 2);
        var granted = 0;
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
        {
            start.Wait();
            for (var i = 0; i < 50; i++)
                if (budget.TryReserve(10)) Interlocked.Increment(ref granted);
        })).ToArray();
        start.Set();
        await Task.WhenAll(workers);

        granted.ShouldBe(100);
        budget.RequestsSpent.ShouldBe(100);
        budget.TokensSpent.ShouldBe(1000);
    }

    [Test]
    public async Task The_token_budget_is_never_exceeded_under_concurrency()
    {
        var budget = new LiveBudget(maxRequests: 10_000, maxTokens: 1_000);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++) budget.TryReserve(7);
        })));
        budget.TokensSpent.ShouldBeLessThanOrEqualTo(1_000);
        budget.TokensSpent.ShouldBeGreaterThan(1_000 - 7);
        budget.RequestsSpent.ShouldBe(budget.TokensSpent / 7);
    }

    [TestCase("0")]
    [TestCase("-5")]
    [TestCase("lots")]
    public void An_absurd_budget_is_refused_with_the_variable_to_fix(string value) =>
        Should.Throw<ArgumentException>(() => LiveBudget.FromEnvironment(name => name == LiveBudget.MaxRequestsVariable ? value : null))
            .Message.ShouldContain(LiveBudget.MaxRequestsVariable);

    [Test]
    public async Task A_request_the_budget_cannot_cover_is_never_sent()
    {
        var inner = new CountingHandler();
        using var http = new HttpClient(new LiveBudgetHandler(new LiveBudget(maxRequests: 2, maxTokens: 100), inner));
        for (var i = 0; i < 2; i++)
            (await http.PostAsync("http://127.0.0.1:9/v1/chat/completions", new StringContent("""{"max_completion_tokens":40}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var refused = await Should.ThrowAsync<LiveBudgetExceededException>(() =>
            http.PostAsync("http://127.0.0.1:9/v1/chat/completions", new StringContent("""{"max_completion_tokens":40}""")));
        refused.Message.ShouldContain(LiveBudget.MaxRequestsVariable);
        inner.Sent.ShouldBe(2);
    }

    [Test]
    public async Task A_completion_the_budget_refuses_fails_with_budget_exhausted_not_connection_failed()
    {
        var inner = new CountingHandler();
        var budget = new LiveBudget(maxRequests: 1, maxTokens: 1_000);
        budget.TryReserve(0).ShouldBeTrue(); // the one request the budget allows is spent elsewhere
        await using var session = ProviderSession.Open("groq", new ProviderSessionOptions
        {
            ApiKey = Stub.GroqKey, BaseUrl = new Uri("http://127.0.0.1:9/openai/v1"), HttpClient = new HttpClient(new LiveBudgetHandler(budget, inner)),
            Environment = Stub.EmptyEnvironment(),
        });
        var error = await Should.ThrowAsync<Errors.ProviderException>(() =>
            session.CreateChatClient("llama-3.1-8b-instant").CompleteAsync("Say hello", new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 8 }));

        error.ErrorKey.ShouldBe(Errors.ErrorKeys.BudgetExhausted);
        error.IsRetryable.ShouldBeFalse("a spent budget is not retried: the next attempt would be refused too");
        error.Message.ShouldStartWith("live budget spent");
        error.Attempts.Count.ShouldBe(1);
        inner.Sent.ShouldBe(0);
        budget.Exhausted.ShouldBeTrue();
    }

    [Test]
    public void A_meter_counts_what_its_async_flow_reserved_and_nothing_of_other_flows()
    {
        var budget = new LiveBudget(maxRequests: 100, maxTokens: 10_000);
        SpendMeter? first = null, second = null;
        var flows = new[]
        {
            Task.Run(() => { first = SpendMeter.Start(); budget.TryReserve(10); budget.TryReserve(20); }),
            Task.Run(() => { second = SpendMeter.Start(); budget.TryReserve(5); }),
        };
        Task.WaitAll(flows);
        (first!.Requests, first.Tokens).ShouldBe((2, 30));
        (second!.Requests, second.Tokens).ShouldBe((1, 5));
        SpendMeter.Current.ShouldBeNull("a meter started in another flow is not this flow's");
    }

    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Sent;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sent);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
