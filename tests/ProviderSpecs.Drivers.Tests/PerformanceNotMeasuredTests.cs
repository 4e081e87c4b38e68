using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;

using static ProviderSpecs.Drivers.Tests.TestProviders;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>
/// The two scenarios on the simulated target: every non-streamed request refused, or one provider's every
/// request refused, gives "not measured" — never a comparison with 0.
/// </summary>
[TestFixture]
public sealed class PerformanceNotMeasuredTests : SimulatedTargetTests
{
    private const string Model = "llama-3.1-8b-instant";

    [Test]
    public async Task Streaming_against_non_streamed_answers_that_all_failed_is_not_measured()
    {
        var performance = new PerformanceDriver(Target, new ScenarioTranscript());
        await performance.MeasureAsync(Groq, Model, requests: 4, concurrency: 2, streaming: true, "streaming vs not");
        performance.RateLimitNext(Groq, count: 100, retryAfter: TimeSpan.FromMilliseconds(50), "streaming vs not");
        await performance.MeasureAsync(Groq, Model, requests: 4, concurrency: 2, streaming: false, "streaming vs not");
        // The burst starts with the first measured request, so one request already on its way may still succeed.
        performance.Last.Succeeded.ShouldBeLessThan(2);

        var failure = Should.Throw<ShouldAssertException>(() => performance.StreamingShouldShowFirstTokenBeforeCompleteAnswer(Groq, Model, 2));
        failure.Message.ShouldStartWith("a non-streamed answer's median time to the complete answer: not measured: ");
        failure.Message.ShouldContain($"{performance.Last.Succeeded} of 4 requests succeeded");
        failure.Message.ShouldContain("rate-limited × ");
        failure.Message.ShouldNotContain(" 0.0", Case.Sensitive, "nothing measured is never compared as 0");
    }

    [Test]
    public async Task A_provider_comparison_where_one_side_measured_nothing_is_not_measured()
    {
        var performance = new PerformanceDriver(Target, new ScenarioTranscript());
        await performance.MeasureAsync(Together, "meta-llama/Meta-Llama-3-8B-Instruct-Lite", requests: 4, concurrency: 2, streaming: true, "comparison");
        performance.RateLimitNext(Groq, count: 100, retryAfter: TimeSpan.FromMilliseconds(50), "comparison");
        await performance.MeasureAsync(Groq, Model, requests: 4, concurrency: 2, streaming: true, "comparison");

        Should.Throw<ShouldAssertException>(() => performance.ShouldBeFaster("output tokens per second", "groq", Model, "together_ai", "meta-llama/Meta-Llama-3-8B-Instruct-Lite", 2))
            .Message.ShouldStartWith("Groq's llama-3.1-8b-instant: median answer tokens per second: not measured: ");
        Should.Throw<ShouldAssertException>(() => performance.BudgetShouldBeMet("p95 ttft < 500 ms"))
            .Message.ShouldContain("neither met nor missed");
        Should.Throw<ShouldAssertException>(() => performance.BudgetShouldBeMissed("p95 ttft < 500 ms"))
            .Message.ShouldContain("neither met nor missed", Case.Sensitive, "a budget on nothing is not missed either");
    }
}
