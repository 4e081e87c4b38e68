using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Drivers.Tests.Load;

/// <summary>
/// Issue 8 item 4: many concurrent streams through the provider layer (<see cref="ProviderSession"/> →
/// <c>ProviderChatClient.Stream</c>) against the in-process simulators (Groq and Together AI, half each), with a
/// fixed latency profile so every stream is held open at the same time. No fault is injected, so any error is one
/// the simulator did not inject. Every call is bounded twice: the layer's first-token/total timeouts and a safety
/// cancellation per stream; a stream still running after that counts as hung.
/// The always-run version asserts correctness only (no timing thresholds); the explicit 1,000-stream version prints
/// the figures: streams held at once, thread-pool queue length and threads, heartbeat-timer lateness, peak working set
/// and managed heap (total and per stream).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ThousandStreamsLoadTest
{
    [Test]
    public async Task Hundred_concurrent_streams_all_complete_with_a_finish_reason_and_no_error()
    {
        var result = await StreamLoad.RunAsync(100, TimeSpan.FromMilliseconds(300), tokensPerSecond: 64);
        TestContext.Out.WriteLine(result.Describe());

        result.Errors.ShouldBeEmpty("no fault was injected, so no stream may fail");
        result.Hung.ShouldBe(0, "every stream must end before its safety timeout");
        result.Completed.ShouldBe(100);
        result.FinishReasons.Keys.ShouldAllBe(r => r == "stop" || r == "length");
        result.FinishReasons.Values.Sum().ShouldBe(100, "every stream reports the finish reason of its final chunk, which only a [DONE]-terminated stream yields");
        result.EmptyTexts.ShouldBe(0);
        result.ServedBySimulator.ShouldBe(100, "the simulators served exactly one request per stream (no retry, nothing lost)");
        result.MaxHeld.ShouldBeGreaterThan(1, "the streams overlapped: they were concurrent, not serialised");
    }

    [Test, Explicit("load benchmark: prints figures, takes about a minute"), Category("benchmark")]
    public async Task Thousand_concurrent_streams_figures()
    {
        // A long first token (2 s) and a slow decode (64 tokens at 16 tok/s) keep all 1,000 streams open at once.
        var result = await StreamLoad.RunAsync(1000, TimeSpan.FromSeconds(2), tokensPerSecond: 16);
        TestContext.Out.WriteLine(result.Describe());
        TestContext.Progress.WriteLine(result.Describe());

        result.Errors.ShouldBeEmpty();
        result.Hung.ShouldBe(0);
        result.Completed.ShouldBe(1000);
        result.ServedBySimulator.ShouldBe(1000);
    }
}

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(
    int Streams, string Profile, int Completed, int Hung, IReadOnlyDictionary<string, int> Errors, IReadOnlyDictionary<string, int> FinishReasons, int EmptyTexts,
    int ServedBySimulator, int MaxHeld, TimeSpan Wall, long Chunks,
    long MaxQueueLength, int MaxThreads, int BaselineThreads, TimeSpan HeartbeatMaxLate, TimeSpan HeartbeatP99Late, TimeSpan HeartbeatP50Late, int HeartbeatTicks,
    long BaselineWorkingSet, long PeakWorkingSet, long BaselineHeap, long PeakHeap, double TtftP50Ms, double TtftP99Ms, double E2eP50Ms, double E2eP99Ms)
{
    public string Describe()
    {
        static string Mb(long bytes) => (bytes / 1024d / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
        static string Kb(double bytes) => (bytes / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " KB";
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"LOAD {Streams} concurrent streams (Groq + Together AI simulators, half each; {Environment.ProcessorCount} cores)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  completed {Completed}, hung {Hung}, errors {Errors.Values.Sum()} {(Errors.Count == 0 ? "" : string.Join(", ", Errors.Select(e => $"{e.Key}×{e.Value}")))}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  finish reasons {string.Join(", ", FinishReasons.Select(f => $"{f.Key}×{f.Value}"))}; served by simulator {ServedBySimulator}; chunks {Chunks}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  streams held at once (first chunk received, not yet done): max {MaxHeld}; wall {Wall.TotalSeconds:0.00} s");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  TTFT p50 {TtftP50Ms:0} ms, p99 {TtftP99Ms:0} ms; end-to-end p50 {E2eP50Ms:0} ms, p99 {E2eP99Ms:0} ms (profile: {Profile})");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  thread pool: max queue length {MaxQueueLength}, threads {BaselineThreads} → max {MaxThreads}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  heartbeat timer (every 50 ms, {HeartbeatTicks} ticks): lateness p50 {HeartbeatP50Late.TotalMilliseconds:0.0} ms, p99 {HeartbeatP99Late.TotalMilliseconds:0.0} ms, max {HeartbeatMaxLate.TotalMilliseconds:0.0} ms");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  working set {Mb(BaselineWorkingSet)} → peak {Mb(PeakWorkingSet)} (+{Mb(PeakWorkingSet - BaselineWorkingSet)}, {Kb((PeakWorkingSet - BaselineWorkingSet) / (double)Streams)} per stream)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  managed heap {Mb(BaselineHeap)} → peak {Mb(PeakHeap)} (+{Mb(PeakHeap - BaselineHeap)}, {Kb((PeakHeap - BaselineHeap) / (double)Streams)} per stream)");
        return sb.ToString();
    }
}

internal static class StreamLoad
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromMinutes(2);
    private static readonly (string Provider, string Model)[] Targets =
    [
        ("groq", "llama-3.1-8b-instant"),
        ("together_ai", "meta-llama/Meta-Llama-3-8B-Instruct-Lite"),
    ];

    public static async Task<LoadResult> RunAsync(int streams, TimeSpan firstToken, double tokensPerSecond)
    {
        await using var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { TimeScale = 1.0, Seed = 8, MaxRequestsPerScope = Math.Max(5_000, streams) });
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = int.MaxValue })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var resilience = new ResilienceOptions
        {
            MaxRetries = 0, // an error must show, not be retried away
            MaxConcurrency = streams,
            MaxQueuedCalls = streams,
            FirstTokenTimeout = TimeSpan.FromSeconds(60),
            TotalTimeout = TimeSpan.FromSeconds(90),
        };
        var lanes = Targets.Select(t =>
        {
            var scope = simulators[t.Provider].OpenScope($"load {streams} streams");
            scope.UseLatencyScale(1.0);
            scope.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, firstToken, tokensPerSecond, tokensPerChunk: 4));
            var session = ProviderSession.Open(t.Provider, new ProviderSessionOptions
            {
                ApiKey = scope.ApiKey,
                BaseUrl = simulators[t.Provider].BaseUrl,
                HttpClient = http,
                Resilience = resilience,
            });
            return (Scope: scope, Session: session, Chat: session.CreateChatClient(t.Model));
        }).ToList();

        // Warm up one stream per lane (JIT, connection) so the baseline is the steady state.
        foreach (var lane in lanes) await lane.Chat.Stream("warm up").CollectAsync();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baselineWorkingSet = process.WorkingSet64;
        var baselineHeap = GC.GetTotalMemory(false);
        var baselineThreads = ThreadPool.ThreadCount;

        using var sampler = new Sampler();
        var errors = new ConcurrentDictionary<string, int>();
        var finishes = new ConcurrentDictionary<string, int>();
        var held = 0;
        var maxHeld = 0;
        var completed = 0;
        var hung = 0;
        var empty = 0;
        long chunks = 0;
        var ttft = new ConcurrentBag<double>();
        var e2e = new ConcurrentBag<double>();
        var wall = Stopwatch.StartNew();

        var tasks = Enumerable.Range(0, streams).Select(i => Task.Run(async () =>
        {
            var lane = lanes[i % lanes.Count];
            using var safety = new CancellationTokenSource(SafetyTimeout);
            var began = Stopwatch.GetTimestamp();
            var first = true;
            try
            {
                var stream = lane.Chat.Stream($"Tell me about load test stream {i}.", new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 64 });
                await foreach (var update in stream.WithCancellation(safety.Token).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref chunks);
                    if (first && !string.IsNullOrEmpty(update.Text))
                    {
                        first = false;
                        ttft.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                        var now = Interlocked.Increment(ref held);
                        int seen;
                        while (now > (seen = Volatile.Read(ref maxHeld)) && Interlocked.CompareExchange(ref maxHeld, now, seen) != seen) { }
                    }
                }
                var result = stream.Result;
                e2e.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                finishes.AddOrUpdate(result.FinishReason ?? "(none)", 1, (_, n) => n + 1);
                if (string.IsNullOrEmpty(result.Text)) Interlocked.Increment(ref empty);
                Interlocked.Increment(ref completed);
            }
            catch (OperationCanceledException) when (safety.IsCancellationRequested)
            {
                Interlocked.Increment(ref hung);
            }
            catch (Exception e)
            {
                var key = e is ProviderException p ? $"{p.ErrorKey}" : e.GetType().Name;
                errors.AddOrUpdate(key, 1, (_, n) => n + 1);
            }
            finally
            {
                if (!first) Interlocked.Decrement(ref held);
            }
        })).ToList();

        await Task.WhenAll(tasks);
        wall.Stop();
        var samples = sampler.Stop();
        var served = lanes.Sum(l => l.Scope.Requests.Count(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal))) - lanes.Count; // minus the warm-ups
        foreach (var lane in lanes)
        {
            lane.Chat.Dispose();
            await lane.Session.DisposeAsync();
        }

        return new LoadResult(streams, $"{firstToken.TotalMilliseconds:0} ms to first token, max 64 tokens at {tokensPerSecond:0} tok/s, 4 per chunk", completed, hung, errors.ToDictionary(), finishes.ToDictionary(), empty, served, maxHeld, wall.Elapsed, chunks,
            samples.MaxQueue, samples.MaxThreads, baselineThreads, samples.MaxLate, samples.P99Late, samples.P50Late, samples.Ticks,
            baselineWorkingSet, Math.Max(baselineWorkingSet, samples.PeakWorkingSet), baselineHeap, Math.Max(baselineHeap, samples.PeakHeap),
            Percentile(ttft, 0.50), Percentile(ttft, 0.99), Percentile(e2e, 0.50), Percentile(e2e, 0.99));
    }

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>
    /// A dedicated (non-pool) thread samples the thread pool and memory every 20 ms; a thread-pool timer ticking
    /// every 50 ms measures how late its callbacks run — the symptom of starvation.
    /// </summary>
    private sealed class Sampler : IDisposable
    {
        private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);
        private readonly Thread _thread;
        private readonly Timer _heartbeat;
        private readonly ConcurrentQueue<double> _late = new();
        private volatile bool _stop;
        private long _maxQueue, _peakWorkingSet, _peakHeap;
        private int _maxThreads;
        private long _lastTick;

        public Sampler()
        {
            _lastTick = Stopwatch.GetTimestamp();
            _heartbeat = new Timer(_ =>
            {
                var now = Stopwatch.GetTimestamp();
                var interval = Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _lastTick, now), now);
                _late.Enqueue(Math.Max(0, (interval - Period).TotalMilliseconds));
            }, null, Period, Period);
            _thread = new Thread(() =>
            {
                using var process = Process.GetCurrentProcess();
                while (!_stop)
                {
                    _maxQueue = Math.Max(_maxQueue, ThreadPool.PendingWorkItemCount);
                    _maxThreads = Math.Max(_maxThreads, ThreadPool.ThreadCount);
                    process.Refresh();
                    _peakWorkingSet = Math.Max(_peakWorkingSet, process.WorkingSet64);
                    _peakHeap = Math.Max(_peakHeap, GC.GetTotalMemory(false));
                    Thread.Sleep(20);
                }
            }) { IsBackground = true, Name = "load sampler" };
            _thread.Start();
        }

        public (long MaxQueue, int MaxThreads, long PeakWorkingSet, long PeakHeap, TimeSpan MaxLate, TimeSpan P99Late, TimeSpan P50Late, int Ticks) Stop()
        {
            _heartbeat.Dispose();
            _stop = true;
            _thread.Join();
            var late = _late.ToArray();
            return (_maxQueue, _maxThreads, _peakWorkingSet, _peakHeap,
                TimeSpan.FromMilliseconds(late.Length == 0 ? 0 : late.Max()), TimeSpan.FromMilliseconds(late.Length == 0 ? 0 : Percentile(late, 0.99)),
                TimeSpan.FromMilliseconds(late.Length == 0 ? 0 : Percentile(late, 0.50)), late.Length);
        }

        public void Dispose()
        {
            _heartbeat.Dispose();
            _stop = true;
        }
    }
}
