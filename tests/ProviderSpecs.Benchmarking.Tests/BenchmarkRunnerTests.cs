using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.Tests;

public class BenchmarkRunnerTests
{
    [Test]
    public async Task Closed_loop_never_has_more_requests_in_flight_than_its_concurrency()
    {
        var probe = new TestTargets.ConcurrencyProbe();

        var result = await BenchmarkRunner.RunAsync(probe.Target(TimeSpan.FromMilliseconds(2)),
            new BenchmarkRunOptions { Load = new ClosedLoopLoad(4), MaxRequests = 60 });

        probe.Peak.ShouldBeLessThanOrEqualTo(4);
        result.PeakInFlight.ShouldBeLessThanOrEqualTo(4);
        result.PeakInFlight.ShouldBeGreaterThan(1); // the workers really ran side by side
    }

    [Test]
    public async Task The_measured_phase_of_a_closed_loop_starts_its_loops_spread_not_all_at_once()
    {
        var measuredStarts = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var target = new DelegateTarget("test", "spread", async (ctx, ct) =>
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (!ctx.IsWarmup) measuredStarts.Enqueue(now);
            await ProviderSpecs.Pacing.PrecisePacer.Shared.WaitAsync(now, TimeSpan.FromMilliseconds(40), ct); // never early, unlike Task.Delay
            return RequestOutcome.Success();
        });

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(32), MaxRequests = 64, WarmupRequests = 32 });

        var spread = result.StartSpreadSeconds.ShouldNotBeNull("a closed loop records how its measured phase started");
        spread.ShouldBe(0.032, 1e-9, "a millisecond a loop: each warm-up request took 40 ms, more than 32 loops need");
        var firstWave = measuredStarts.Order().Take(32).ToList();
        // Loop i waits i/32 of the spread (never less): all at once, the first 32 would start within a millisecond or two.
        System.Diagnostics.Stopwatch.GetElapsedTime(firstWave[0], firstWave[^1]).TotalSeconds.ShouldBeGreaterThan(spread / 2);
        result.Succeeded.ShouldBe(64);
    }

    [Test]
    public async Task A_closed_loop_whose_warm_up_never_succeeded_starts_its_loops_together_and_says_so()
    {
        var target = new DelegateTarget("test", "cold", (ctx, _) =>
            ValueTask.FromResult(ctx.IsWarmup ? RequestOutcome.Failed("server-error") : RequestOutcome.Success()));

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(4), MaxRequests = 8 });

        result.WarmupFailures.ShouldBe(4);
        result.StartSpreadSeconds.ShouldBe(0, "no warm-up request says how long a request takes");
        Reporting.MarkdownReport.Render(new Results.BenchmarkDocument { Metadata = Results.RunMetadata.Capture("simulated", 1), Scenarios = [result] })
            .ShouldContain("loops started together");
    }

    [Test]
    public void The_start_spread_is_the_warm_ups_median_request_at_most_a_millisecond_a_loop_and_a_tenth_of_a_duration_bound()
    {
        var warmup = new MetricsShard(8);
        foreach (var micros in new long[] { 90_000, 100_000, 400_000 }) warmup.EndToEnd.Record(micros);

        BenchmarkRunner.StartSpread(warmup, concurrency: 256, maxDuration: null).TotalMilliseconds.ShouldBe(100, 0.1);
        BenchmarkRunner.StartSpread(warmup, concurrency: 32, maxDuration: null).TotalMilliseconds.ShouldBe(32, 0.1,
            "loops a millisecond apart do not queue in the client, and a longer ramp costs the rate");
        BenchmarkRunner.StartSpread(warmup, concurrency: 256, maxDuration: TimeSpan.FromMilliseconds(500)).TotalMilliseconds.ShouldBe(50, 0.1,
            "a run bounded to 500 ms would otherwise spend a fifth of it below its concurrency");
        BenchmarkRunner.StartSpread(new MetricsShard(8), concurrency: 256, maxDuration: null).ShouldBe(TimeSpan.Zero);
    }

    [Test]
    public async Task A_request_count_bound_sends_exactly_that_many_measured_requests_after_the_warm_up()
    {
        var sent = 0;
        var target = TestTargets.Streaming(onSend: () => Interlocked.Increment(ref sent));

        var result = await BenchmarkRunner.RunAsync(target,
            new BenchmarkRunOptions { Load = new ClosedLoopLoad(3), MaxRequests = 25, WarmupRequests = 5 });

        result.Started.ShouldBe(25);
        result.Succeeded.ShouldBe(25);
        result.WarmupRequests.ShouldBe(5);
        sent.ShouldBe(30);
        result.StoppedBy.ShouldBe("request-count");
    }

    [Test]
    public async Task A_duration_bound_stops_starting_requests_when_it_expires()
    {
        var probe = new TestTargets.ConcurrencyProbe();

        var result = await BenchmarkRunner.RunAsync(probe.Target(TimeSpan.FromMilliseconds(5)),
            new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxDuration = TimeSpan.FromMilliseconds(200) });

        result.StoppedBy.ShouldBe("duration");
        result.Started.ShouldBeGreaterThan(0);
        // Each slot sends one request at a time and each takes ≥ 5 ms, so 200 ms bounds the count.
        result.Started.ShouldBeLessThanOrEqualTo(2 * (200 / 5 + 1));
    }

    [Test]
    public async Task Cancellation_stops_a_run_whose_requests_would_never_finish()
    {
        using var cancellation = new CancellationTokenSource();
        var started = 0;
        var target = new DelegateTarget("test", "hang", async (ctx, ct) =>
        {
            if (!ctx.IsWarmup && Interlocked.Increment(ref started) == 8) await cancellation.CancelAsync();
            if (!ctx.IsWarmup) await Task.Delay(Timeout.Infinite, ct);
            return RequestOutcome.Success();
        });

        var run = BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(8), MaxRequests = 1000 }, cancellation.Token);

        // A liveness guard, not a performance claim: without cancellation this run never ends.
        (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)))).ShouldBe(run);
        await Should.ThrowAsync<OperationCanceledException>(run);
    }

    [Test]
    public async Task Open_loop_respects_its_concurrency_cap_when_arrivals_outpace_completions()
    {
        var probe = new TestTargets.ConcurrencyProbe();

        var result = await BenchmarkRunner.RunAsync(probe.Target(TimeSpan.FromMilliseconds(20)),
            new BenchmarkRunOptions { Load = new OpenLoopLoad(2000, ArrivalProcess.Poisson, maxConcurrency: 3, seed: 1), MaxRequests = 30 });

        result.Started.ShouldBe(30);
        result.StartSpreadSeconds.ShouldBeNull("an open loop's requests start when its schedule says");
        probe.Peak.ShouldBeLessThanOrEqualTo(3);
        result.Load.Kind.ShouldBe("open-loop");
        result.Load.Seed.ShouldBe(1);
    }

    [Test]
    public async Task An_open_loop_that_falls_behind_its_schedule_records_how_late_it_sent_and_its_report_says_so()
    {
        // 200 arrivals a second into one slot held 20 ms a request: request k waits about 15 k ms for the slot.
        var probe = new TestTargets.ConcurrencyProbe();
        var result = await BenchmarkRunner.RunAsync(probe.Target(TimeSpan.FromMilliseconds(20)),
            new BenchmarkRunOptions { Load = new OpenLoopLoad(200, ArrivalProcess.Constant, maxConcurrency: 1), MaxRequests = 12, WarmupRequests = 1, KeepRequests = true });

        result.SendLateness.Count.ShouldBe(12, "every measured request of an open loop has a send lateness");
        result.SendLateness.ValueOf(Percentile.Max).ShouldBeGreaterThan(100, "the last requests waited for the one slot for well over 100 ms");
        var records = result.Requests!;
        records.ShouldAllBe(r => r.SendLatenessMs >= 0);
        records[^1].SendLatenessMs!.Value.ShouldBeGreaterThan(records[0].SendLatenessMs!.Value);
        records.Max(r => r.SendLatenessMs!.Value).ShouldBe(result.SendLateness.ValueOf(Percentile.Max));

        var warning = Reporting.MarkdownReport.LateSendWarning(result).ShouldNotBeNull();
        warning.ShouldStartWith("The open loop fell behind its schedule: requests were sent p50 ");
        warning.ShouldContain("waiting for one of its 1 slots");
        warning.ShouldContain("of 200 req/s served");
        Reporting.MarkdownReport.Render(new Results.BenchmarkDocument { Metadata = Results.RunMetadata.Capture("simulated"), Scenarios = [result] })
            .ShouldContain("> " + warning);
    }

    [Test]
    public async Task An_open_loop_reports_the_rate_its_schedule_offered_beside_the_nominal_one()
    {
        // A constant schedule offers exactly its rate; a Poisson one the rate of its draw, recomputed here from the schedule itself.
        var constant = await BenchmarkRunner.RunAsync(TestTargets.Streaming(chunks: 1),
            new BenchmarkRunOptions { Load = new OpenLoopLoad(500, ArrivalProcess.Constant, maxConcurrency: 8), MaxRequests = 20 });
        constant.ScheduledRequestsPerSecond!.Value!.Value.ShouldBe(500, 1e-6);

        var poisson = new OpenLoopLoad(2000, ArrivalProcess.Poisson, maxConcurrency: 16, seed: 42);
        var result = await BenchmarkRunner.RunAsync(TestTargets.Streaming(chunks: 1), new BenchmarkRunOptions { Load = poisson, MaxRequests = 100 });
        var schedule = poisson.CreateSchedule();
        var offsets = Enumerable.Range(0, 100).Select(_ => schedule.NextOffsetSeconds()).ToList();
        result.ScheduledRequestsPerSecond!.Value!.Value.ShouldBe(99 / (offsets[^1] - offsets[0]), 1e-6);
        Math.Abs(result.ScheduledRequestsPerSecond.Value.Value - 2000).ShouldBeGreaterThan(1.0, "a draw of 100 arrivals is not exactly the nominal rate");

        Reporting.MarkdownReport.Render(new Results.BenchmarkDocument { Metadata = Results.RunMetadata.Capture("simulated"), Scenarios = [result] })
            .ShouldContain(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"- Offered: the schedule sent its arrivals at {result.ScheduledRequestsPerSecond.Value.Value:0.##} req/s (nominal 2000;"));
        var closed = await BenchmarkRunner.RunAsync(TestTargets.Streaming(chunks: 1), new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 4 });
        closed.ScheduledRequestsPerSecond.ShouldBeNull();
    }

    [Test]
    public async Task A_closed_loop_has_no_schedule_so_no_send_lateness()
    {
        var result = await BenchmarkRunner.RunAsync(TestTargets.Streaming(chunks: 2),
            new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 6, KeepRequests = true });

        result.SendLateness.IsEmpty.ShouldBeTrue();
        result.Requests!.ShouldAllBe(r => r.SendLatenessMs == null);
        Reporting.MarkdownReport.LateSendWarning(result).ShouldBeNull();
    }

    [Test]
    public void Send_lateness_is_null_without_a_schedule_and_never_negative()
    {
        RequestMetrics.SendLatenessMicroseconds(0, 12345).ShouldBeNull();
        RequestMetrics.SendLatenessMicroseconds(1000, 900).ShouldBe(0);
        RequestMetrics.SendLatenessMicroseconds(1000, 1000 + System.Diagnostics.Stopwatch.Frequency / 1000).ShouldBe(1000);
    }

    [Test]
    public async Task Streaming_metrics_count_one_ttft_and_tpot_per_request_and_every_chunk_gap()
    {
        var result = await BenchmarkRunner.RunAsync(TestTargets.Streaming(chunks: 5),
            new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 10 });

        result.Ttft.Count.ShouldBe(10);
        result.Tpot.Count.ShouldBe(10);
        result.InterTokenLatency.Count.ShouldBe(10 * 4);
        result.OutputTokens.ShouldBe(50);
        result.OutputTokensPerSecondPerRequest.Count.ShouldBe(10);
        result.Ttft.ValueOf(Percentile.P50).ShouldBeLessThanOrEqualTo(result.EndToEnd.ValueOf(Percentile.P50));
        result.Ttft.Definition.ShouldContain("TTFT");
        result.Tpot.Definition.ShouldContain("vLLM");
    }

    [Test]
    public async Task Errors_are_counted_by_key_and_a_rate_limit_episode_ends_at_the_next_success()
    {
        var target = new DelegateTarget("test", "limited", (ctx, _) => ValueTask.FromResult(ctx.IsWarmup || ctx.RequestIndex >= 3
            ? RequestOutcome.Success(outputTokens: 3)
            : RequestOutcome.Failed(RequestOutcome.RateLimitedKey, 429, TimeSpan.FromSeconds(2))));

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 10 });

        result.ErrorsByKey.ShouldBe(new Dictionary<string, int> { ["rate-limited"] = 3 });
        result.ErrorRate.Measured.ShouldBe(0.3);
        result.RateLimitedResponses.ShouldBe(3);
        result.MaxRetryAfterSeconds.ShouldBe(2);
        result.RateLimitRecovery.Count.ShouldBe(1);
        result.RateLimitRecovery.ValueOf(Percentile.Max).ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task Retried_rate_limits_and_attempts_reported_by_the_target_are_counted()
    {
        var target = new DelegateTarget("test", "retrying", (ctx, _) =>
        {
            ctx.RecordRateLimited(TimeSpan.FromMilliseconds(500));
            ctx.SetAttempts(2);
            ctx.SetQueueTime(TimeSpan.FromMilliseconds(7));
            ctx.MarkChunk(3);
            return ValueTask.FromResult(RequestOutcome.Success());
        });

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 4 });

        result.Succeeded.ShouldBe(4);
        result.RateLimitedResponses.ShouldBe(4);
        result.Attempts.ValueOf(Percentile.Mean).ShouldBe(2);
        result.QueueTime.ValueOf(Percentile.P50).ShouldBe(7, tolerance: 0.01);
        result.OutputTokens.ShouldBe(12);
    }

    [Test]
    public async Task A_throwing_target_is_recorded_as_a_client_exception_not_a_crashed_run()
    {
        var target = new DelegateTarget("test", "throws", (ctx, _) => ctx.IsWarmup
            ? ValueTask.FromResult(RequestOutcome.Success())
            : throw new InvalidOperationException("boom"));

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(2), MaxRequests = 6 });

        result.Failed.ShouldBe(6);
        result.ErrorsByKey[RequestOutcome.ClientExceptionKey].ShouldBe(6);
    }

    [Test]
    public async Task A_concurrency_sweep_has_one_point_per_level()
    {
        var sweep = await BenchmarkRunner.RunSweepAsync(TestTargets.Streaming(), LoadSweep.Concurrency(1, 2, 4),
            new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 8 });

        sweep.Parameter.ShouldBe("concurrency");
        sweep.Points.Select(p => p.Load.Level).ShouldBe([1, 2, 4]);
        sweep.Points.ShouldAllBe(p => p.Started == 8);
    }

    [Test]
    public async Task The_target_learns_the_connection_mode_and_warm_up_flag_of_each_request()
    {
        var seen = new List<(bool Warmup, ConnectionMode Mode)>();
        var target = new DelegateTarget("test", "modes", (ctx, _) =>
        {
            lock (seen) seen.Add((ctx.IsWarmup, ctx.ConnectionMode));
            return ValueTask.FromResult(RequestOutcome.Success());
        });

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions
        {
            Load = new ClosedLoopLoad(1), MaxRequests = 3, WarmupRequests = 2, ConnectionMode = ConnectionMode.NewConnectionPerRequest,
        });

        seen.Count(s => s.Warmup).ShouldBe(2);
        seen.Count(s => !s.Warmup).ShouldBe(3);
        seen.ShouldAllBe(s => s.Mode == ConnectionMode.NewConnectionPerRequest);
        result.ConnectionMode.ShouldBe("new-connection-per-request");
    }

    [Test]
    public async Task The_clients_own_gc_pauses_during_the_measured_phase_are_recorded()
    {
        // A target whose requests force full collections: the run's GC pause time must show them.
        var target = new DelegateTarget("test", "collects", (ctx, _) =>
        {
            if (!ctx.IsWarmup) GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            return ValueTask.FromResult(RequestOutcome.Success());
        });

        var result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(1), MaxRequests = 5 });

        result.Resources.Gen2Collections.ShouldBeGreaterThanOrEqualTo(5);
        result.Resources.GcPauseSeconds!.Value.ShouldBeGreaterThan(0);
    }
}
