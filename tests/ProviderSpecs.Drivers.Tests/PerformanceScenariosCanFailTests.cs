using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;

using static ProviderSpecs.Drivers.Tests.TestProviders;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>
/// Every check of the percentile, resource and cost scenarios fails against a slowed or altered simulator: the
/// scenarios pass because the figures are good, not because the check cannot fail. The simulator's injected timing
/// is the ground truth (a slower machine only makes the slowed side slower), so no assertion here is a timing of the test.
/// </summary>
[TestFixture]
public sealed class PerformanceScenariosCanFailTests : SimulatedTargetTests
{
    private const string Small = "llama-3.1-8b-instant";
    private const string Oss = "openai/gpt-oss-20b";

    private PerformanceDriver NewDriver() => new(Target, new ScenarioTranscript());

    [Test]
    public async Task A_provider_twice_as_slow_misses_the_median_and_90th_percentile_budgets()
    {
        var performance = NewDriver();
        performance.SlowDown(Groq, 2.0);
        await performance.MeasureAsync(Groq, Small, requests: 24, concurrency: 8, streaming: true, "percentiles slowed");

        Should.Throw<ShouldAssertException>(() => performance.ShouldStayUnder("median", "time to the first word", "a quarter of a second"))
            .Message.ShouldContain("P50");
        Should.Throw<ShouldAssertException>(() => performance.ShouldStayUnder("90th-percentile", "time to the first word", "400 ms"))
            .Message.ShouldContain("P90");
        performance.ShouldNotStayUnder("90th-percentile", "time to the first word", "400 ms").Missed.ShouldBeTrue();
    }

    [Test]
    public async Task A_99th_percentile_over_fewer_than_100_answers_is_not_measured_never_met()
    {
        var performance = NewDriver();
        await performance.MeasureAsync(Groq, Small, requests: 24, concurrency: 8, streaming: true, "too few for a p99");

        var failure = Should.Throw<ShouldAssertException>(() => performance.ShouldStayUnder("99th-percentile", "time to the first word", "10 seconds"));
        failure.Message.ShouldContain("not measured");
        failure.Message.ShouldContain("neither met nor missed");
    }

    [Test]
    public async Task The_same_open_model_comparison_fails_when_Groq_serves_it_four_times_slower()
    {
        var performance = NewDriver();
        performance.SlowDown(Groq, 4.0);
        await performance.MeasureAsync(Groq, Oss, requests: 8, concurrency: 4, streaming: true, "same model, Groq slowed");
        await performance.MeasureAsync(Together, Oss, requests: 8, concurrency: 4, streaming: true, "same model, Groq slowed");

        Should.Throw<ShouldAssertException>(() => performance.ShouldStartSooner(Groq, Oss, Together, Oss))
            .Message.ShouldContain("median time to the first word: Groq's openai/gpt-oss-20b ");
        Should.Throw<ShouldAssertException>(() => performance.ShouldWriteFaster(Groq, Oss, Together, Oss))
            .Message.ShouldContain("median answer tokens per second: Groq's openai/gpt-oss-20b ");
        // The reverse holds on the same figures: the comparison reads them, it does not always fail.
        performance.ShouldStartSooner(Together, Oss, Groq, Oss).ShouldContain("Together AI's openai/gpt-oss-20b");
    }

    [Test]
    public async Task A_cold_start_fails_its_limit_when_every_new_connection_costs_600_ms()
    {
        var performance = NewDriver();
        performance.SlowNewConnections(Groq, TimeSpan.FromMilliseconds(600));
        await performance.MeasureAsync(Groq, Small, requests: 6, concurrency: 2, "cold start, far away", ClientSetup.Warm);
        await performance.MeasureAsync(Groq, Small, requests: 6, concurrency: 2, "cold start, far away", ClientSetup.Cold);

        var failure = Should.Throw<ShouldAssertException>(() => performance.ColdStartShouldAddAtMost(Groq, Small, "half a second"));
        failure.Message.ShouldContain("a cold start added more than 500 ms");
        failure.Message.ShouldContain("connections opened after the warm-up: warm 0 of 6, cold 6 of 6");
    }

    [Test]
    public async Task Connection_reuse_fails_for_a_client_that_opens_a_connection_for_every_answer()
    {
        var performance = NewDriver();
        await performance.MeasureAsync(Groq, Small, requests: 8, concurrency: 2, "pooling, cold client", ClientSetup.Cold);

        Should.Throw<ShouldAssertException>(() => performance.NewConnectionsShouldBeAtMost(1, 20))
            .Message.ShouldContain("8 connections opened for 8 answers");

        await performance.MeasureAsync(Groq, Small, requests: 8, concurrency: 2, streaming: true, "pooling, warm client");
        performance.NewConnectionsShouldBeAtMost(1, 20).ShouldStartWith("0 connections opened for 8 answers");
    }

    [Test]
    public async Task The_key_lookup_fails_its_limit_when_the_key_store_takes_5_ms_to_answer()
    {
        var performance = NewDriver();
        performance.KeepKeyInSlowStore(TimeSpan.FromMilliseconds(5));
        await performance.MeasureAsync(Groq, Small, requests: 6, concurrency: 2, "slow key store", ClientSetup.Warm);
        await performance.MeasureAsync(Groq, Small, requests: 6, concurrency: 2, "slow key store", ClientSetup.KeyPerRequest);

        Should.Throw<ShouldAssertException>(() => performance.KeyLookupShouldTakeAtMost(Groq, Small, "1 ms"))
            .Message.ShouldContain("finding the key for each request: median ");
    }

    [Test]
    public async Task The_error_rate_under_load_fails_when_the_provider_fails_4_of_16_answers()
    {
        var performance = NewDriver();
        performance.FailNext(Groq, FaultKind.ServerError, count: 4, "errors under load");
        await performance.MeasureAsync(Groq, Small, requests: 16, concurrency: 8, streaming: true, "errors under load");

        performance.Last.Failed.ShouldBeGreaterThanOrEqualTo(3, "the injected failures reached the measured answers");
        Should.Throw<ShouldAssertException>(() => performance.ErrorRateShouldBeAtMost(1, 20))
            .Message.ShouldContain("server-error");
    }

    [Test]
    public async Task Memory_per_answer_under_load_is_compared_between_the_two_measurements_and_fails_a_ratio_they_exceed()
    {
        var performance = NewDriver();
        await performance.MeasureAsync(Groq, Small, requests: 4, concurrency: 1, streaming: true, "memory under load");
        await performance.MeasureAsync(Groq, Small, requests: 16, concurrency: 8, streaming: true, "memory under load");

        var figures = performance.MemoryPerAnswerShouldGrowAtMost(Groq, Small, alone: 1, loaded: 8, factor: 1000);
        figures.ShouldContain("with 1 at a time");
        Should.Throw<ShouldAssertException>(() => performance.MemoryPerAnswerShouldGrowAtMost(Groq, Small, alone: 1, loaded: 8, factor: 0.001));
        Should.Throw<InvalidOperationException>(() => performance.MemoryPerAnswerShouldGrowAtMost(Groq, Small, alone: 1, loaded: 16, factor: 2))
            .Message.ShouldContain("was not measured");
    }

    [Test]
    public async Task A_workload_costs_the_catalogs_prices_and_a_wrong_figure_or_a_reversed_comparison_fails()
    {
        var performance = NewDriver();
        var cost = new WorkloadCostDriver(Target, performance, new ScenarioTranscript());
        cost.StateWorkload(1000, 500, 200);
        await performance.MeasureAsync(Groq, Oss, requests: 4, concurrency: 2, streaming: true, "workload cost");
        await cost.ReadPricesAsync([Groq, Together], "workload cost");

        var table = cost.CostsShouldBe([(Groq, Oss, 0.0975m), (Together, Oss, 0.065m), (Together, "meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.616m)]);
        table.ShouldContain("Groq's openai/gpt-oss-20b: $0.0975");
        table.ShouldContain("the bundled snapshot of");
        table.ShouldContain("the simulated Together AI's own model list");
        table.ShouldContain("median time to the first word", Case.Sensitive, "the measured latency stands next to the cost");

        Should.Throw<ShouldAssertException>(() => cost.CostsShouldBe([(Groq, Oss, 0.05m)]))
            .Message.ShouldContain("not $0.05");
        Should.Throw<ShouldAssertException>(() => cost.ShouldCostLess(Groq, Oss, Together, Oss))
            .Message.ShouldContain("Together AI's openai/gpt-oss-20b: $0.065");
        cost.ShouldCostLess(Together, Oss, Groq, Oss).ShouldContain("$0.065");
    }
}
