using System.Collections.Concurrent;
using System.Diagnostics;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Benchmarking.Targets;
using ProviderSpecs.Pacing;

namespace ProviderSpecs.Benchmarking.Load;

/// <summary>
/// Drives an <see cref="IBenchmarkTarget"/> under a <see cref="LoadModel"/>: a warm-up phase, then the measured
/// phase. One async loop per concurrency slot (closed loop) or one dispatcher plus a slot semaphore (open loop);
/// every slot owns a reusable <see cref="RequestContext"/>; completed requests are recorded into lock-striped shards.
/// </summary>
public static class BenchmarkRunner
{
    public static async Task<ScenarioResult> RunAsync(IBenchmarkTarget target, BenchmarkRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var warmupRequests = options.EffectiveWarmupRequests;
        var warmup = new Phase(target, options.ConnectionMode, isWarmup: true,
            slots: Math.Min(options.Load.MaxConcurrency, warmupRequests), maxRequests: warmupRequests, maxDuration: null, expectedRequests: warmupRequests,
            keepRequests: false);
        await warmup.RunClosedLoopAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var warmupTotals = warmup.Merge();
        var startSpread = options.Load is ClosedLoopLoad ? StartSpread(warmupTotals, options.Load.MaxConcurrency, options.MaxDuration) : (TimeSpan?)null;
        // Nothing is in flight between the phases: collect here, so that the warm-up's garbage does not force a collection
        // (which stops every open stream at once) into the measured phase, as BenchmarkDotNet collects before each iteration.
        // With a measuring process's gen-0 budget (MeasuringRuntime) an 8 s, 64-stream self-test row then collects once, not 8 times.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var expected = options.MaxRequests ?? 1024;
        var measured = new Phase(target, options.ConnectionMode, isWarmup: false,
            slots: options.Load.MaxConcurrency, maxRequests: options.MaxRequests, maxDuration: options.MaxDuration,
            expectedRequests: expected, keepRequests: options.KeepRequests);

        using var monitor = ResourceMonitor.Start(options.ConnectionPort);
        var startedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        if (options.Load is OpenLoopLoad open)
            await measured.RunOpenLoopAsync(open.CreateSchedule(), cancellationToken).ConfigureAwait(false);
        else
            await measured.RunClosedLoopAsync(startSpread ?? TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        // Stopped before the merge: its fresh histograms (≈ 1.9 MB) are bookkeeping, not the cost of the requests.
        var resources = monitor.Stop(measured.Started);
        var totals = measured.Merge();

        return BuildResult(target, options, warmupRequests, warmupTotals.Failed, startSpread, measured, totals, startedAt, elapsed, resources);
    }

    /// <summary>
    /// Over how long the measured phase of a closed loop starts its loops: the warm-up's median request time, at most
    /// <see cref="SpreadPerLoop"/> a loop and a tenth of a duration bound. In a closed loop's steady state the loops are
    /// spread over one request time; started in the same instant, the first <c>c</c> requests queue behind each other in
    /// the client before any reaches the target, and the measured figures begin with that burst (self-test, c=64 through
    /// the provider layer: the first 64 requests' TTFT error p50 3.65 ms against 0.48 ms for the rest; without them the
    /// row's p99 fell from 3.81 to 2.64 ms). Zero when no warm-up request succeeded: nothing says how long a request takes.
    /// </summary>
    internal static TimeSpan StartSpread(MetricsShard warmup, int concurrency, TimeSpan? maxDuration)
    {
        if (warmup.EndToEnd.Count == 0) return TimeSpan.Zero;
        var spread = TimeSpan.FromMicroseconds(warmup.EndToEnd.ValueAtPercentile(50));
        if (spread > SpreadPerLoop * concurrency) spread = SpreadPerLoop * concurrency;
        return maxDuration is { } bound && spread > bound / 10 ? bound / 10 : spread;
    }

    /// <summary>
    /// A loop's share of the start spread at most. A request costs the client well under a millisecond, so loops a
    /// millisecond apart do not queue behind each other; and a longer ramp would cost the run's rate (fewer than c
    /// requests in flight while it lasts), the more so as a fresh process's first warm-up runs cold (a simulated Groq
    /// run at c=32: warm-up median 643 ms, measured requests 270 ms).
    /// </summary>
    internal static readonly TimeSpan SpreadPerLoop = TimeSpan.FromMilliseconds(1);

    /// <summary>Runs one scenario per load point (e.g. <see cref="LoadSweep.Concurrency"/>), with the same bounds and warm-up rules.</summary>
    public static async Task<SweepResult> RunSweepAsync(IBenchmarkTarget target, IReadOnlyList<LoadModel> points, BenchmarkRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
            throw new ArgumentException("points must not be empty: give at least one load, e.g. LoadSweep.Concurrency(1, 4, 16).", nameof(points));
        if (points.Select(p => p.GetType()).Distinct().Count() > 1)
            throw new ArgumentException("points mix closed-loop and open-loop loads: sweep either concurrency or rate.", nameof(points));
        var results = new List<ScenarioResult>(points.Count);
        foreach (var point in points)
            results.Add(await RunAsync(target, options with { Load = point }, cancellationToken).ConfigureAwait(false));
        var parameter = points[0] is OpenLoopLoad ? "rate" : "concurrency";
        return new SweepResult(target.Provider, target.Model, parameter, results);
    }

    private static ScenarioResult BuildResult(IBenchmarkTarget target, BenchmarkRunOptions options, int warmupRequests, int warmupFailures,
        TimeSpan? startSpread, Phase measured, MetricsShard totals, DateTimeOffset startedAt, TimeSpan elapsed, ResourceUsage resources)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var histograms = totals.ToHistograms();
        var load = options.Load;
        return new ScenarioResult
        {
            Provider = target.Provider,
            Model = target.Model,
            Name = options.Name,
            Load = new LoadDescription(
                load is OpenLoopLoad ? "open-loop" : "closed-loop", load.Describe(), load.LoadLevel, load.MaxConcurrency,
                (load as OpenLoopLoad)?.Arrival.ToString().ToLowerInvariant(), (load as OpenLoopLoad)?.Seed),
            ConnectionMode = options.ConnectionMode == ConnectionMode.Pooled ? "pooled" : "new-connection-per-request",
            WarmupRequests = warmupRequests,
            WarmupFailures = warmupFailures,
            StartSpreadSeconds = startSpread?.TotalSeconds,
            StoppedBy = options.MaxRequests is { } max && totals.Started >= max ? "request-count" : "duration",
            Started = totals.Started,
            Succeeded = totals.Succeeded,
            Failed = totals.Failed,
            ElapsedSeconds = elapsed.TotalSeconds,
            PeakInFlight = measured.PeakInFlight,
            OutputTokens = totals.OutputTokens,
            // With no success the run measured no rate: null, never 0 (an error rate is measured as long as requests started).
            RequestsPerSecond = new Rate(totals.Succeeded == 0 ? null : totals.Succeeded / seconds, "req/s", MetricDefinitions.RequestsPerSecond),
            ScheduledRequestsPerSecond = load is OpenLoopLoad ? new Rate(measured.ScheduledRate, "req/s", MetricDefinitions.ScheduledRequestsPerSecond) : null,
            OutputTokensPerSecond = new Rate(totals.Succeeded == 0 ? null : totals.OutputTokens / seconds, "tok/s", MetricDefinitions.OutputTokensPerSecond),
            ErrorRate = new Rate(totals.Started == 0 ? null : (double)totals.Failed / totals.Started, "ratio", MetricDefinitions.ErrorRate),
            ErrorsByKey = new SortedDictionary<string, int>(totals.ErrorsByKey, StringComparer.Ordinal),
            RateLimitedResponses = totals.RateLimitedResponses,
            MaxRetryAfterSeconds = totals.MaxRetryAfter?.TotalSeconds,
            RateLimitRecovery = histograms.Summarise(RecordedMetrics.RateLimitRecovery),
            Ttft = histograms.Summarise(RecordedMetrics.Ttft),
            Tpot = histograms.Summarise(RecordedMetrics.Tpot),
            InterTokenLatency = histograms.Summarise(RecordedMetrics.InterTokenLatency),
            EndToEnd = histograms.Summarise(RecordedMetrics.EndToEnd),
            OutputTokensPerSecondPerRequest = histograms.Summarise(RecordedMetrics.OutputTokensPerSecondPerRequest),
            QueueTime = histograms.Summarise(RecordedMetrics.QueueTime),
            Attempts = histograms.Summarise(RecordedMetrics.Attempts),
            TtftError = histograms.Summarise(RecordedMetrics.TtftError),
            InterTokenGapError = histograms.Summarise(RecordedMetrics.InterTokenGapError),
            SendLateness = histograms.Summarise(RecordedMetrics.SendLateness),
            Resources = resources,
            StartedAt = startedAt,
            Recorded = histograms.Recorded(),
            // ~190 KB per metric: kept only when the caller will write them (bench's interval log).
            Histograms = options.KeepHistograms ? histograms : null,
            Requests = totals.Requests is { } requests ? [.. requests.OrderBy(r => r.Index)] : null,
        };
    }

    /// <summary>One phase (warm-up or measured): slots, bounds and in-flight accounting.</summary>
    private sealed class Phase
    {
        private readonly IBenchmarkTarget _target;
        private readonly ConnectionMode _connectionMode;
        private readonly bool _isWarmup;
        private readonly long _maxRequests;
        private readonly long _deadline;
        private readonly RequestContext[] _contexts;
        private readonly MetricsShard[] _shards;
        private long _issued;
        private long _origin;
        private int _inFlight;
        private int _peakInFlight;

        public Phase(IBenchmarkTarget target, ConnectionMode connectionMode, bool isWarmup, int slots, int? maxRequests, TimeSpan? maxDuration, int expectedRequests,
            bool keepRequests)
        {
            _target = target;
            _connectionMode = connectionMode;
            _isWarmup = isWarmup;
            _maxRequests = maxRequests ?? long.MaxValue;
            _deadline = maxDuration is { } d ? Stopwatch.GetTimestamp() + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
            _contexts = new RequestContext[slots];
            for (var i = 0; i < slots; i++) _contexts[i] = new RequestContext();
            // A shard holds nine HdrHistograms (~180 KB each at µs resolution up to an hour), so slots share a few
            // lock-striped shards instead of owning one each; the lock is held only to record one request.
            var shardCount = Math.Clamp(Environment.ProcessorCount * 2, 1, slots);
            _shards = new MetricsShard[shardCount];
            for (var i = 0; i < shardCount; i++)
            {
                _shards[i] = new MetricsShard(expectedRequests / shardCount);
                // Sized up front, so that keeping records does not grow (and copy) a list in the middle of the phase.
                if (keepRequests) _shards[i].Requests = new List<RequestRecord>(expectedRequests / shardCount + slots);
            }
        }

        public int PeakInFlight => Volatile.Read(ref _peakInFlight);

        private int _arrivalsSent;
        private double _firstArrivalSeconds;
        private double _lastArrivalSeconds;

        /// <summary>Open loop: (arrivals sent − 1) ÷ (last − first scheduled arrival); null for fewer than two.</summary>
        public double? ScheduledRate => _arrivalsSent < 2 || _lastArrivalSeconds <= _firstArrivalSeconds
            ? null
            : (_arrivalsSent - 1) / (_lastArrivalSeconds - _firstArrivalSeconds);

        /// <summary>Claims the next request index, or returns false when a bound is reached.</summary>
        private bool TryClaim(out long index)
        {
            index = -1;
            if (Stopwatch.GetTimestamp() >= _deadline) return false;
            index = Interlocked.Increment(ref _issued) - 1;
            return index < _maxRequests;
        }

        /// <summary>Runs one loop per slot; loop <c>i</c> sends its first request <c>i/slots</c> of <paramref name="spread"/> after the start.</summary>
        public async Task RunClosedLoopAsync(TimeSpan spread, CancellationToken cancellationToken)
        {
            var start = _origin = Stopwatch.GetTimestamp();
            var workers = new Task[_contexts.Length];
            for (var i = 0; i < workers.Length; i++) workers[i] = WorkerAsync(i, start, spread * i / workers.Length, cancellationToken);
            await Task.WhenAll(workers).ConfigureAwait(false);
        }

        private async Task WorkerAsync(int slot, long start, TimeSpan offset, CancellationToken cancellationToken)
        {
            // Let every worker start before any runs: a target that completes synchronously would otherwise
            // let the first worker run the whole phase alone. The pacer's waits end on time (Task.Delay's do not).
            if (offset > TimeSpan.Zero) await PrecisePacer.Shared.WaitAsync(start, offset, cancellationToken).ConfigureAwait(false);
            else await Task.Yield();
            while (!cancellationToken.IsCancellationRequested && TryClaim(out var index))
                await ExecuteAsync(slot, index, scheduledTimestamp: 0, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        public async Task RunOpenLoopAsync(ArrivalSchedule schedule, CancellationToken cancellationToken)
        {
            var freeSlots = new ConcurrentStack<int>(Enumerable.Range(0, _contexts.Length));
            using var slotGate = new SemaphoreSlim(_contexts.Length, _contexts.Length);
            var start = _origin = Stopwatch.GetTimestamp();
            try
            {
                while (TryClaim(out var index))
                {
                    var offset = schedule.NextOffsetSeconds();
                    var due = start + (long)(offset * Stopwatch.Frequency);
                    // The pacer ends the wait on time (Task.Delay's timer ends it up to 4 ms late, and several together);
                    // an arrival already due is sent at once, and how late it went is recorded as its send lateness.
                    await PrecisePacer.Shared.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);
                    if (Stopwatch.GetTimestamp() >= _deadline) break;
                    if (_arrivalsSent++ == 0) _firstArrivalSeconds = offset;
                    _lastArrivalSeconds = offset;
                    await slotGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    freeSlots.TryPop(out var slot);
                    _ = RunInSlotAsync(slot, index, due, freeSlots, slotGate, cancellationToken);
                }
            }
            finally
            {
                // Wait for every in-flight request (they observe the same token), so none outlives the run.
                for (var i = 0; i < _contexts.Length; i++) await slotGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
        }

        private async Task RunInSlotAsync(int slot, long index, long scheduledTimestamp, ConcurrentStack<int> freeSlots, SemaphoreSlim slotGate, CancellationToken cancellationToken)
        {
            try
            {
                await ExecuteAsync(slot, index, scheduledTimestamp, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                freeSlots.Push(slot);
                slotGate.Release();
            }
        }

        private async Task ExecuteAsync(int slot, long index, long scheduledTimestamp, CancellationToken cancellationToken)
        {
            var context = _contexts[slot];
            var inFlight = Interlocked.Increment(ref _inFlight);
            UpdatePeak(inFlight);
            context.Begin(index, _isWarmup, _connectionMode, scheduledTimestamp);
            RequestOutcome outcome;
            try
            {
                outcome = await _target.SendAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _inFlight);
                return;
            }
            catch (Exception)
            {
                // A target should return a failed outcome; a throwing one is still counted, under a stable key.
                outcome = RequestOutcome.Failed(RequestOutcome.ClientExceptionKey);
            }
            var end = Stopwatch.GetTimestamp();
            Interlocked.Decrement(ref _inFlight);
            var shard = _shards[slot % _shards.Length];
            lock (shard)
            {
                shard.Record(context, outcome, end);
                shard.Requests?.Add(RequestRecord.From(context, outcome, end, _origin));
            }
        }

        private void UpdatePeak(int inFlight)
        {
            var peak = Volatile.Read(ref _peakInFlight);
            while (inFlight > peak)
            {
                var seen = Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak);
                if (seen == peak) break;
                peak = seen;
            }
        }

        /// <summary>Requests started so far, over all shards.</summary>
        public int Started => _shards.Sum(shard => shard.Started);

        public MetricsShard Merge()
        {
            var total = new MetricsShard(16);
            foreach (var shard in _shards) total.Add(shard);
            return total;
        }
    }
}
