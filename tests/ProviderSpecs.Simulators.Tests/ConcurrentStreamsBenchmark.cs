using System.Diagnostics;
using ProviderSpecs.Simulators;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// Prints how far from the latency profile concurrent paced streams get their first content chunk, measured
/// client-side (from just before sending to the first content line read, minus the first-chunk delay the profile
/// planned for that very request) and server-side (when the simulator wrote it, minus the plan). Explicit: it takes
/// real time and CPU, and its numbers are a benchmark, not a unit assertion. Run in Release:
/// <c>dotnet test tests/ProviderSpecs.Simulators.Tests -c Release --filter "FullyQualifiedName~ConcurrentStreamsBenchmark" --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("benchmark: run with --filter FullyQualifiedName~ConcurrentStreamsBenchmark (-c Release)")]
public sealed class ConcurrentStreamsBenchmark
{
    private const string Model = "llama-3.1-8b-instant";

    /// <summary>
    /// The requirement's case: <paramref name="streams"/> streams kept open at once for several seconds (each client
    /// loop starts its next request when its stream ends, as a benchmark's closed loop does), paced by the model's
    /// published latency profile.
    /// </summary>
    [TestCase(16)]
    [TestCase(64)]
    public async Task Concurrent_streams_first_chunk_lateness_in_a_closed_loop(int streams)
    {
        await using var providers = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq] });
        var groq = providers[ProviderIds.Groq];
        var scope = groq.OpenScope($"{streams} streams, closed loop");
        scope.UseLatencyScale(1.0);
        using var http = NewClient(streams);

        await RunClosedLoopAsync(http, groq, scope.ApiKey, streams, TimeSpan.FromSeconds(2)); // warm-up: connections, JIT on both sides
        var gc = GcSnapshot.Take();
        var measured = await RunClosedLoopAsync(http, groq, scope.ApiKey, streams, TimeSpan.FromSeconds(8));
        Report($"{streams} streams, closed loop, {Model} profile", measured, scope, gc);
    }

    /// <summary>
    /// The worst case: all <paramref name="streams"/> requests start in the same instant, with a fixed 200 ms first
    /// token, in 5 rounds. Client and simulator share this process and its 2 cores, so the start burst is in the figures.
    /// </summary>
    [TestCase(16)]
    [TestCase(64)]
    public async Task Concurrent_streams_first_chunk_lateness_when_all_start_at_once(int streams)
    {
        await using var providers = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq] });
        var groq = providers[ProviderIds.Groq];
        var scope = groq.OpenScope($"{streams} streams at once");
        scope.UseLatencyScale(1.0);
        scope.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, TimeSpan.FromMilliseconds(200), tokensPerSecond: 200, tokensPerChunk: 4));
        using var http = NewClient(streams);

        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => FirstChunkAsync(http, groq, scope.ApiKey))); // warm-up
        var gc = GcSnapshot.Take();
        var measured = new List<Measured>();
        for (var round = 0; round < 5; round++)
            measured.AddRange(await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(() => FirstChunkAsync(http, groq, scope.ApiKey)))));
        Report($"{streams} streams started at once, fixed 200 ms first token", measured, scope, gc);
    }

    /// <summary>
    /// Groq's speed at a benchmark's highest concurrency: <paramref name="streams"/> streams kept open, one token per
    /// chunk at 500 tokens/s (a chunk every 2 ms per stream), 48 chunks each. Reports how late the simulator wrote every
    /// chunk against its own plan (first chunk at its planned delay, then one gap after another) and the process's CPU
    /// per chunk served. Client and simulator share this process, so the CPU figure is an upper bound for the simulator.
    /// </summary>
    [TestCase(256)]
    [TestCase(64)]
    public async Task Groq_speed_streams_are_written_on_time_in_a_closed_loop(int streams)
    {
        // The request log keeps every stream of the run (at c=256 an idle machine serves more than the default log holds).
        await using var providers = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq], MaxRequestsPerScope = 100_000 });
        var groq = providers[ProviderIds.Groq];
        SimulatorScope GroqSpeedScope(string name)
        {
            var scope = groq.OpenScope(name);
            scope.UseLatencyScale(1.0);
            scope.SetLatencyProfile(ModelLatencyProfile.Fixed(TimeSpan.Zero, TimeSpan.FromMilliseconds(200), tokensPerSecond: GroqSpeedTokensPerSecond, tokensPerChunk: 1));
            return scope;
        }
        using var http = NewClient(streams);

        await RunClosedLoopAsync(http, groq, GroqSpeedScope("warm-up").ApiKey, streams, TimeSpan.FromSeconds(2), GroqSpeedChunks);
        var scope = GroqSpeedScope($"{streams} Groq-speed streams");
        var gc = GcSnapshot.Take();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var measured = await RunClosedLoopAsync(http, groq, scope.ApiKey, streams, TimeSpan.FromSeconds(8), GroqSpeedChunks);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Report($"{streams} Groq-speed streams ({GroqSpeedTokensPerSecond} tokens/s, 1 token per chunk), closed loop", measured, scope, gc);
        ReportChunkLateness(scope, cpu);
    }

    private const double GroqSpeedTokensPerSecond = 500;
    private const int GroqSpeedChunks = 48;

    /// <summary>
    /// How late each content chunk was written against the plan the simulator paces by: chunk i is due at the planned
    /// first-chunk delay plus i planned gaps (absolute schedule, so one late wake-up does not excuse the next chunk).
    /// </summary>
    private static void ReportChunkLateness(SimulatorScope scope, TimeSpan cpu)
    {
        var plannedGap = TimeSpan.FromSeconds(1 / GroqSpeedTokensPerSecond);
        var lateness = new List<double>();
        var chunks = 0;
        foreach (var timing in scope.Requests.Select(r => r.Timing))
        {
            if (timing.FirstChunkDelay is not { } written || timing.PlannedFirstChunkDelay is not { } planned) continue;
            chunks += timing.ChunkCount;
            lateness.Add((written - planned).TotalMilliseconds);
            for (var i = 0; i < timing.ChunkGaps.Count; i++)
            {
                written += timing.ChunkGaps[i];
                lateness.Add((written - (planned + plannedGap * (i + 1))).TotalMilliseconds);
            }
        }
        TestContext.Out.WriteLine(
            $"  every chunk written late vs plan: p50 {P(lateness, 0.50):F2} / p99 {P(lateness, 0.99):F2} / max {lateness.Max():F2} ms over {lateness.Count} chunks; " +
            $"process CPU {cpu.TotalSeconds:F2} s = {cpu.TotalMicroseconds / Math.Max(1, chunks):F1} µs per chunk served ({chunks} chunks, client included)");
        chunks.ShouldBeGreaterThan(0);
    }

    private sealed record Measured(string RequestId, TimeSpan FirstChunk);

    private static HttpClient NewClient(int streams) => new(new SocketsHttpHandler { MaxConnectionsPerServer = streams, UseProxy = false });

    private static async Task<List<Measured>> RunClosedLoopAsync(HttpClient http, SimulatedProvider provider, string key, int streams, TimeSpan duration, int? maxTokens = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = new List<Measured>();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var measured = await FirstChunkAsync(http, provider, key, maxTokens);
                lock (results) results.Add(measured);
            }
        }));
        return results;
    }

    /// <summary>
    /// Sends one streamed chat and returns its request id and the time to its first content chunk. It reads bytes and
    /// looks for the first non-empty <c>"content":"</c> without decoding lines to strings: a lean client, like wrk, so
    /// its own allocations and collections weigh as little as possible on the figures.
    /// </summary>
    private static async Task<Measured> FirstChunkAsync(HttpClient http, SimulatedProvider provider, string key, int? maxTokens = null)
    {
        var extra = maxTokens is { } tokens ? $",\"max_tokens\":{tokens}" : "";
        using var request = Post(provider, key, "/chat/completions", maxTokens is null ? ChatBody(Model, stream: true) : ChatBody(Model, "Tell me a long story about the sea.", stream: true, extra: extra));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            TimeSpan? first = null;
            int read, filled = 0;
            while ((read = await body.ReadAsync(buffer.AsMemory(filled))) > 0)
            {
                filled += read;
                if (first is null && HasContent(buffer.AsSpan(0, filled))) first = Stopwatch.GetElapsedTime(started);
                if (first is not null || filled == buffer.Length) filled = 0; // after the first content only the end matters
            }
            return new Measured(response.Headers.GetValues("x-request-id").Single(), first ?? throw new InvalidOperationException("the stream carried no content"));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when the bytes hold a <c>"content":"</c> followed by something other than the closing quote.</summary>
    private static bool HasContent(ReadOnlySpan<byte> bytes)
    {
        var marker = "\"content\":\""u8;
        while (bytes.IndexOf(marker) is var at && at >= 0)
        {
            bytes = bytes[(at + marker.Length)..];
            if (bytes.Length > 0 && bytes[0] != (byte)'"') return true;
        }
        return false;
    }

    /// <summary>Collections and their pause time since a point: a long pause delays every stream in flight.</summary>
    private sealed record GcSnapshot(int Gen0, int Gen1, int Gen2, TimeSpan Paused)
    {
        /// <summary>Collects what set-up and warm-up left (as BenchmarkDotNet does before measuring), then notes the counters.</summary>
        public static GcSnapshot Take()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return Now();
        }

        private static GcSnapshot Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

        public string Since() =>
            $"GC during the run: {GC.CollectionCount(0) - Gen0}/{GC.CollectionCount(1) - Gen1}/{GC.CollectionCount(2) - Gen2} (gen 0/1/2), " +
            $"paused {(GC.GetTotalPauseDuration() - Paused).TotalMilliseconds:F1} ms; {ThreadPool.ThreadCount} pool threads; last ephemeral: " + LastEphemeral();

        private static string LastEphemeral()
        {
            var info = GC.GetGCMemoryInfo(GCKind.Ephemeral);
            return $"gen {info.Generation}, pause {string.Join("+", info.PauseDurations.ToArray().Select(p => p.TotalMilliseconds.ToString("F1")))} ms, promoted {info.PromotedBytes / 1024} KB, heap {info.HeapSizeBytes / 1048576} MB";
        }
    }

    private static void Report(string title, IReadOnlyList<Measured> measured, SimulatorScope scope, GcSnapshot gc)
    {
        var served = scope.Requests.ToDictionary(r => r.RequestId, r => r.Timing);
        var client = new List<double>();
        var server = new List<double>();
        foreach (var m in measured)
        {
            var timing = served[m.RequestId];
            var planned = timing.PlannedFirstChunkDelay!.Value;
            client.Add((m.FirstChunk - planned).TotalMilliseconds);
            server.Add((timing.FirstChunkDelay!.Value - planned).TotalMilliseconds);
        }
        TestContext.Out.WriteLine(
            $"{title}: {measured.Count} streams; first chunk late vs the planned profile: " +
            $"client-side p50 {P(client, 0.50):F2} / p99 {P(client, 0.99):F2} / max {client.Max():F2} ms; " +
            $"server-side p50 {P(server, 0.50):F2} / p99 {P(server, 0.99):F2} / max {server.Max():F2} ms; {gc.Since()}");
        measured.Count.ShouldBeGreaterThan(0);
        // Never early: a chunk before its planned time would be a pacing bug (the client sees it after the server wrote it).
        server.Min().ShouldBeGreaterThanOrEqualTo(0);
        client.Min().ShouldBeGreaterThanOrEqualTo(0);
    }

    private static double P(List<double> values, double quantile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
    }
}
