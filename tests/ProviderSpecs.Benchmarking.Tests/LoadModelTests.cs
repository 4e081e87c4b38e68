using ProviderSpecs.Benchmarking.Load;

namespace ProviderSpecs.Benchmarking.Tests;

public class LoadModelTests
{
    [Test]
    public void Poisson_arrivals_average_the_requested_rate_for_a_fixed_seed()
    {
        var schedule = new OpenLoopLoad(50, ArrivalProcess.Poisson, maxConcurrency: 8, seed: 42).CreateSchedule();
        double last = 0;
        for (var i = 0; i < 20_000; i++) last = schedule.NextOffsetSeconds();

        (20_000 / last).ShouldBe(50, tolerance: 50 * 0.03);
    }

    [Test]
    public void Poisson_arrivals_repeat_for_the_same_seed_and_differ_for_another()
    {
        static double[] Take(int seed)
        {
            var s = new OpenLoopLoad(10, ArrivalProcess.Poisson, 1, seed).CreateSchedule();
            return Enumerable.Range(0, 5).Select(_ => s.NextOffsetSeconds()).ToArray();
        }

        Take(7).ShouldBe(Take(7));
        Take(7).ShouldNotBe(Take(8));
    }

    [Test]
    public void Constant_arrivals_are_evenly_spaced()
    {
        var schedule = new OpenLoopLoad(4, ArrivalProcess.Constant, 1).CreateSchedule();

        Enumerable.Range(0, 4).Select(_ => schedule.NextOffsetSeconds()).ShouldBe([0, 0.25, 0.5, 0.75]);
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void Closed_loop_rejects_a_concurrency_below_one(int concurrency)
    {
        var error = Should.Throw<ArgumentException>(() => new ClosedLoopLoad(concurrency));

        error.ParamName.ShouldBe("concurrency");
        error.Message.ShouldContain("at least 1");
        error.Message.ShouldNotContain("\n");
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(double.NaN)]
    public void Open_loop_rejects_a_rate_that_is_not_positive(double rate)
    {
        var error = Should.Throw<ArgumentException>(() => new OpenLoopLoad(rate, ArrivalProcess.Poisson, 4));

        error.ParamName.ShouldBe("requestsPerSecond");
        error.Message.ShouldContain("requests per second");
    }

    [Test]
    public void Open_loop_rejects_a_concurrency_cap_below_one()
    {
        Should.Throw<ArgumentException>(() => new OpenLoopLoad(5, ArrivalProcess.Constant, 0)).ParamName.ShouldBe("maxConcurrency");
    }

    [Test]
    public void A_zero_duration_is_rejected_before_any_request_is_sent()
    {
        var probe = new TestTargets.ConcurrencyProbe();
        var options = new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxDuration = TimeSpan.Zero };

        var error = Should.Throw<ArgumentException>(() => BenchmarkRunner.RunAsync(probe.Target(TimeSpan.Zero), options));

        error.ParamName.ShouldBe("MaxDuration");
        error.Message.ShouldContain("must be positive");
        probe.Sent.ShouldBe(0);
    }

    [Test]
    public void A_run_without_any_bound_is_rejected()
    {
        var options = new BenchmarkRunOptions { Load = new ClosedLoopLoad(1) };

        Should.Throw<ArgumentException>(options.Validate).Message.ShouldContain("needs a bound");
    }

    [Test]
    public void Warm_up_cannot_be_switched_off()
    {
        var options = new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 1, WarmupRequests = 0 };

        Should.Throw<ArgumentException>(options.Validate).ParamName.ShouldBe("WarmupRequests");
    }
}
