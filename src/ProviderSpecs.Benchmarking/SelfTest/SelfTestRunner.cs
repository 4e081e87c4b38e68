using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Targets;

namespace ProviderSpecs.Benchmarking.SelfTest;

/// <summary>Settings of the harness self-test; the defaults finish in about a minute on 2 cores.</summary>
public sealed record SelfTestOptions
{
    public IReadOnlyList<int> Concurrencies { get; init; } = [1, 16, 64, 256];
    /// <summary>
    /// Measured time per concurrency level. 8 s gives over 5,000 streams at c=64, so one 20–50 ms hiccup of a shared
    /// machine no longer decides the p99 on its own (with 3 s the c=64 p99 ranged 1.8–5.7 ms from run to run).
    /// </summary>
    public TimeSpan AccuracyDurationPerLevel { get; init; } = TimeSpan.FromSeconds(8);
    public TimeSpan FirstChunkDelay { get; init; } = TimeSpan.FromMilliseconds(20);
    public TimeSpan ChunkGap { get; init; } = TimeSpan.FromMilliseconds(10);
    public int ChunksPerStream { get; init; } = 8;
    public TimeSpan CapacityDuration { get; init; } = TimeSpan.FromSeconds(3);
    public int CapacityConcurrency { get; init; } = 64;

    /// <summary>
    /// Unmeasured load before anything is timed: tiered compilation keeps promoting hot code to optimised tiers for
    /// seconds after start-up, and a level measured during that (c=64 measured first: TTFT error p50 1.0–1.7 ms,
    /// p99 4–7 ms) reads worse than the same level measured later (p50 0.4, p99 2–3.5).
    /// </summary>
    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Concurrency at which a bare HttpClient loop's TTFT error is measured too, as the same-run reference for the harness's.</summary>
    public int ReferenceConcurrency { get; init; } = 64;
    public int CapacityChunksPerStream { get; init; } = 8;
    public int MemoryStreams { get; init; } = 1024;

    /// <summary>Also measure the path `bench` users measure: the provider layer's streaming (<see cref="ProviderAdapter.ProviderChatTarget"/>).</summary>
    public bool ProviderLayer { get; init; } = true;

    /// <summary>Groq-like pacing of the provider-layer rows: one token a chunk every 2 ms (500 tokens/s per stream).</summary>
    public TimeSpan ProviderLayerChunkGap { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Unmeasured load through the provider layer before its rows. Its code paths are many and tiered compilation with
    /// PGO takes them through instrumented tiers for 10–15 s (c=64 at 500 tokens/s, first 8 s: client CPU 4.0–5.0 ms a
    /// request and TTFT error p50 2.8–5.9 ms; 8–16 s: 2.9–3.6 ms and 1.4–1.8 ms; after 16 s: 2.3–2.5 ms and 0.9–1.3 ms).
    /// </summary>
    public TimeSpan ProviderLayerWarmup { get; init; } = TimeSpan.FromSeconds(12);
    public int ProviderLayerChunks { get; init; } = 48;
    public bool RunWrk { get; init; } = true;
    public string WrkPath { get; init; } = "/usr/bin/wrk";
    public TimeSpan WrkDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// When set, the loopback targets run in a child process started with this command — a program that calls
    /// <see cref="PacedEndpoint.ServeUntilInputEndsAsync"/>, e.g. <c>providerspecs bench-target</c> — so they share
    /// neither thread pool nor garbage collector with the harness; when null, they run in this process.
    /// </summary>
    public Func<ProcessStartInfo>? TargetCommand { get; init; }

    public void Validate()
    {
        if (Concurrencies.Count == 0 || Concurrencies.Any(c => c < 1))
            throw new ArgumentException("Concurrencies must be a non-empty list of values ≥ 1: give e.g. 1, 16, 64, 256.", nameof(Concurrencies));
        if (WarmupDuration < TimeSpan.Zero) throw new ArgumentException($"WarmupDuration must not be negative (got {WarmupDuration}): give e.g. 4 s, or 0 for none.", nameof(WarmupDuration));
        if (ProviderLayerWarmup < TimeSpan.Zero) throw new ArgumentException($"ProviderLayerWarmup must not be negative (got {ProviderLayerWarmup}): give e.g. 12 s, or 0 for none.", nameof(ProviderLayerWarmup));
        foreach (var (name, value) in new[] { (nameof(AccuracyDurationPerLevel), AccuracyDurationPerLevel), (nameof(CapacityDuration), CapacityDuration), (nameof(WrkDuration), WrkDuration) })
            if (value <= TimeSpan.Zero) throw new ArgumentException($"{name} must be positive (got {value}): give e.g. 3 s.", name);
        if (ChunksPerStream < 2) throw new ArgumentException($"ChunksPerStream must be at least 2 (got {ChunksPerStream}): gaps need two chunks.", nameof(ChunksPerStream));
        if (ReferenceConcurrency < 1) throw new ArgumentException($"ReferenceConcurrency must be at least 1 (got {ReferenceConcurrency}).", nameof(ReferenceConcurrency));
        if (CapacityConcurrency < 1) throw new ArgumentException($"CapacityConcurrency must be at least 1 (got {CapacityConcurrency}).", nameof(CapacityConcurrency));
        if (CapacityChunksPerStream < 1) throw new ArgumentException($"CapacityChunksPerStream must be at least 1 (got {CapacityChunksPerStream}).", nameof(CapacityChunksPerStream));
        if (MemoryStreams < 1) throw new ArgumentException($"MemoryStreams must be at least 1 (got {MemoryStreams}): give the number of streams to hold open, e.g. 1024.", nameof(MemoryStreams));
    }
}

/// <summary>
/// Measured minus served timing at one concurrency on one client path, with what the client spent per streamed chunk:
/// CPU of this process (the target runs in its own when it is a child) and bytes allocated; and what bounds the error
/// from outside the client's code: the target's CPU per chunk, how busy the whole machine was, and the client's GC pauses.
/// </summary>
public sealed record TimingAccuracy(int Concurrency, int Streams, Distribution TtftError, Distribution InterTokenGapError, Distribution MeasuredTtft,
    string Path = TimingAccuracy.HarnessPath, double? CpuMicrosecondsPerChunk = null, double? AllocatedBytesPerChunk = null)
{
    /// <summary>The target process's CPU per chunk it served (null when the target runs in this process).</summary>
    public double? TargetCpuMicrosecondsPerChunk { get; init; }

    /// <summary>Share of all the machine's CPU time in use while the row ran (0–1; null where /proc/stat is not readable).</summary>
    public double? MachineBusy { get; init; }

    /// <summary>Milliseconds per second the client stood still in garbage collections while the row measured.</summary>
    public double? GcPauseMillisecondsPerSecond { get; init; }

    /// <summary>Chunks per second the row's pacing asks for: each stream's chunks over its paced length, times the concurrency.</summary>
    public double? OfferedChunksPerSecond { get; init; }

    /// <summary>
    /// Processors the offered chunk rate needs at the measured client + target CPU per chunk; null without both figures.
    /// Above the machine's processor count the row measures a saturated machine: its error is queueing for CPU.
    /// </summary>
    public double? ProcessorsNeeded => OfferedChunksPerSecond is { } rate && CpuMicrosecondsPerChunk is { } client && TargetCpuMicrosecondsPerChunk is { } target
        ? rate * (client + target) / 1_000_000 : null;

    /// <summary>The path's name in a table row: "bare harness" or "provider layer".</summary>
    public string PathName => Path == HarnessPath ? "bare harness" : "provider layer";

    public const string HarnessPath = "bare harness (HttpClient reading SSE bytes)";
    public const string ProviderLayerPath = "provider layer (ProviderChatTarget → ProviderChatClient → the layer's SSE reader; request built and sent by Microsoft.Extensions.AI and the OpenAI SDK)";

    /// <summary>The per-chunk costs of a measured run that streamed <paramref name="chunks"/> chunks.</summary>
    internal static (double? Cpu, double Bytes) PerChunk(Results.ScenarioResult run, long chunks) => chunks <= 0 ? (null, 0)
        : (run.Resources.CpuSeconds is { } cpu ? cpu * 1_000_000 / chunks : null, (double)run.Resources.AllocatedBytes / chunks);
}

/// <summary>Memory held per concurrently open stream (client and the in-process server together).</summary>
public sealed record StreamMemory(int Streams, double ManagedBytesPerStream, double WorkingSetBytesPerStream);

/// <summary>The harness self-test's figures.</summary>
public sealed record SelfTestResult(
    IReadOnlyList<TimingAccuracy> Accuracy,
    double RequestsPerSecond,
    double StreamsPerSecond,
    int CapacityConcurrency,
    int CapacityChunksPerStream,
    double PlainClientRequestsPerSecond,
    double? WrkRequestsPerSecond,
    string WrkNote,
    StreamMemory Memory,
    double ElapsedSeconds,
    bool TargetInChildProcess = false,
    TimingAccuracy? PlainClientAccuracy = null,
    bool? InlineCompletions = null,
    string? ClientGen0Budget = null)
{
    /// <summary>Our zero-cost request rate ÷ wrk's on the same target in the same run; null when wrk did not run.</summary>
    public double? RatioToWrk => WrkRequestsPerSecond is > 0 ? RequestsPerSecond / WrkRequestsPerSecond : null;

    /// <summary>Our request rate ÷ a bare HttpClient loop's: what the harness's own bookkeeping costs.</summary>
    public double RatioToPlainClient => PlainClientRequestsPerSecond > 0 ? RequestsPerSecond / PlainClientRequestsPerSecond : 0;

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# Harness self-test").AppendLine();
        md.AppendLine(F($"Loopback Kestrel target on 127.0.0.1 {(TargetInChildProcess ? "in a child process of its own" : "in the same process as the harness")}; {Environment.ProcessorCount} CPUs; {ElapsedSeconds:0.0} s in total.")).AppendLine();
        md.AppendLine("## Timing accuracy: measured − served (ms)").AppendLine();
        md.AppendLine("The paced target reports the first-chunk delay and gaps it actually served; each figure is |measured − served| per request (TTFT) or per gap (pooled, as vLLM ITL).").AppendLine();
        md.AppendLine("Each row says which client path it measures: the bare harness (an HttpClient reading the SSE bytes) or the provider layer — the path `bench` and the performance features use, with Groq's chunk shapes at one token a chunk every 2 ms (500 tokens/s). CPU and bytes are this process's per streamed chunk (the target runs in its own process when it is a child).").AppendLine();
        md.AppendLine(F($"Client process: {InlineSocketCompletions.Describe(InlineCompletions)}; {ClientGen0Budget ?? "gen-0 budget not recorded"}. Target CPU, machine busy and the client's GC pauses say how much of an error tail is queueing for the CPU or a pause of the client's own, not the clock.")).AppendLine();
        md.AppendLine("| Path | Concurrency | Streams | TTFT error p50 | TTFT error p99 | Gap error p50 | Gap error p99 | Measured TTFT p50 | CPU µs/chunk | Allocated B/chunk | Target CPU µs/chunk | Machine busy | Client GC pause ms/s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var a in Accuracy)
            md.AppendLine(F($"| {a.PathName} | {a.Concurrency} | {a.Streams} | {a.TtftError.Format(Percentile.P50, "0.000")} | {a.TtftError.Format(Percentile.P99, "0.000")} | {a.InterTokenGapError.Format(Percentile.P50, "0.000")} | {a.InterTokenGapError.Format(Percentile.P99, "0.000")} | {a.MeasuredTtft.Format(Percentile.P50, "0.00")} | {Number(a.CpuMicrosecondsPerChunk, "0.0")} | {Number(a.AllocatedBytesPerChunk, "0")} | {Number(a.TargetCpuMicrosecondsPerChunk, "0.0")} | {(a.MachineBusy is { } busy ? busy.ToString("0%", CultureInfo.InvariantCulture) : "—")} | {Number(a.GcPauseMillisecondsPerSecond, "0.0")} |"));
        if (PlainClientAccuracy is { } plain)
            md.AppendLine(F($"| bare HttpClient loop (no harness) | {plain.Concurrency} | {plain.Streams} | {plain.TtftError.Format(Percentile.P50, "0.000")} | {plain.TtftError.Format(Percentile.P99, "0.000")} | — | — | {plain.MeasuredTtft.Format(Percentile.P50, "0.00")} | — | — | — | — | — |"));
        md.AppendLine();
        foreach (var a in Accuracy.Where(a => a.ProcessorsNeeded > Environment.ProcessorCount * 0.9))
            md.AppendLine(F($"Saturated: {a.PathName} c={a.Concurrency} offers {a.OfferedChunksPerSecond:0} chunks/s; at the client's {a.CpuMicrosecondsPerChunk:0.0} + the target's {a.TargetCpuMicrosecondsPerChunk:0.0} µs a chunk that needs {a.ProcessorsNeeded:0.0} processors of this machine's {Environment.ProcessorCount}: the machine is at its limit, and the row's error tail is queueing for the CPU, not the harness's clock.")).AppendLine();
        if (PlainClientAccuracy is { } reference && Accuracy.FirstOrDefault(a => a.Concurrency == reference.Concurrency) is { } same)
            md.AppendLine(F($"Same run, c={reference.Concurrency}: the harness's TTFT error p99 is {same.TtftError.Format(Percentile.P99, "0.000")} ms, a bare HttpClient loop's {reference.TtftError.Format(Percentile.P99, "0.000")} ms — the part of the error this machine and HTTP stack impose on any .NET client.")).AppendLine();
        md.AppendLine("## Capacity").AppendLine();
        md.AppendLine("| Figure | Value |").AppendLine("|---|---:|");
        md.AppendLine(F($"| Harness requests/s (zero-cost target, c={CapacityConcurrency}) | {RequestsPerSecond:0} |"));
        md.AppendLine(F($"| Harness streams/s (unpaced stream of {CapacityChunksPerStream} chunks, c={CapacityConcurrency}) | {StreamsPerSecond:0} |"));
        md.AppendLine(F($"| Bare HttpClient loop requests/s (same target, no metrics, c={CapacityConcurrency}) | {PlainClientRequestsPerSecond:0} |"));
        md.AppendLine(F($"| Harness ÷ bare HttpClient loop | {RatioToPlainClient:0.00}× |"));
        md.AppendLine(F($"| wrk requests/s (same target, same run) | {(WrkRequestsPerSecond is { } w ? w.ToString("0", CultureInfo.InvariantCulture) : "not run")} |"));
        md.AppendLine(F($"| Harness ÷ wrk | {(RatioToWrk is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—")} |"));
        md.AppendLine();
        md.AppendLine(F($"wrk: {WrkNote}")).AppendLine();
        md.AppendLine("## Memory per open stream").AppendLine();
        md.AppendLine(F($"{Memory.Streams} streams held open at once: {Memory.ManagedBytesPerStream / 1024:0.0} KB managed heap and {Memory.WorkingSetBytesPerStream / 1024:0.0} KB working set per stream ({(TargetInChildProcess ? "the harness's process; the target runs in its own" : "client and in-process server together")}, after aggressive full GCs; kernel socket buffers are not in either figure)."));
        return md.ToString();
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
}

/// <summary>
/// Runs the harness against its own loopback targets: timing accuracy against the served truth, request and
/// stream capacity (with wrk as the reference when installed), and memory per open stream.
/// </summary>
public static partial class SelfTestRunner
{
    /// <summary>Warm-up of the capacity runs: about half a second of zero-cost requests, so every code path is optimised before it is timed.</summary>
    private const int CapacityWarmupRequests = 16_000;

    /// <summary>Turns of harness, bare loop and wrk in the capacity measurement; the best rate of each is reported.</summary>
    private const int CapacityRounds = 2;

    public static async Task<SelfTestResult> RunAsync(SelfTestOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SelfTestOptions();
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        // 256 concurrent streams each wait on timers; without headroom the thread pool ramps up slowly and
        // the ramp shows up as timing error.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, 64), Math.Max(minIo, 64));
        try
        {
            await using var endpoint = options.TargetCommand is { } command
                ? await PacedEndpoint.StartInChildProcessAsync(command(), cancellationToken).ConfigureAwait(false)
                : await PacedEndpoint.StartAsync(cancellationToken).ConfigureAwait(false);

            var accuracy = new List<TimingAccuracy>();
            using (var paced = new LoopbackStreamTarget(endpoint, options.FirstChunkDelay, options.ChunkGap, options.ChunksPerStream))
            {
                if (options.WarmupDuration > TimeSpan.Zero)
                    await WarmUpAsync(endpoint, paced, options, cancellationToken).ConfigureAwait(false);
                foreach (var concurrency in options.Concurrencies)
                {
                    accuracy.Add(await MeasureRowAsync(endpoint, TimingAccuracy.HarnessPath, concurrency, options.FirstChunkDelay, options.ChunkGap, options.ChunksPerStream,
                        () => BenchmarkRunner.RunAsync(paced, new BenchmarkRunOptions
                        {
                            Load = new ClosedLoopLoad(concurrency),
                            MaxDuration = options.AccuracyDurationPerLevel,
                            WarmupRequests = concurrency * 8, // eight waves (≈ 0.7 s here) on top of WarmupDuration: see there
                        }, cancellationToken),
                        run => (long)run.Succeeded * options.ChunksPerStream).ConfigureAwait(false));
                }
            }
            if (options.ProviderLayer) accuracy.AddRange(await MeasureProviderLayerAsync(endpoint, options, cancellationToken).ConfigureAwait(false));

            var plainAccuracy = await MeasurePlainClientAccuracyAsync(endpoint, options, cancellationToken).ConfigureAwait(false);

            // The maximum each client reaches: harness, bare loop and wrk take turns, twice, and the best of each
            // counts — on a shared 2-core machine one 3 s window can lose a third of its rate to a neighbour.
            double requestsPerSecond = 0, plainClientRate = 0, streamsPerSecond;
            double? wrkRate = null;
            var wrkNote = "disabled by options";
            using (var zero = new LoopbackZeroCostTarget(endpoint))
            {
                for (var round = 0; round < CapacityRounds; round++)
                {
                    var run = await BenchmarkRunner.RunAsync(zero, new BenchmarkRunOptions
                    {
                        Load = new ClosedLoopLoad(options.CapacityConcurrency),
                        MaxDuration = options.CapacityDuration,
                        WarmupRequests = round == 0 ? CapacityWarmupRequests : options.CapacityConcurrency,
                    }, cancellationToken).ConfigureAwait(false);
                    requestsPerSecond = Math.Max(requestsPerSecond, run.RequestsPerSecond.Measured);
                    plainClientRate = Math.Max(plainClientRate,
                        await MeasurePlainClientAsync(endpoint.ZeroUri, options.CapacityConcurrency, options.CapacityDuration, cancellationToken).ConfigureAwait(false));
                    if (!options.RunWrk) continue;
                    var (rate, note) = await RunWrkAsync(options, endpoint, cancellationToken).ConfigureAwait(false);
                    if (rate is { } r && (wrkRate is null || r > wrkRate)) (wrkRate, wrkNote) = (r, note);
                    else if (wrkRate is null) wrkNote = note;
                }
            }
            if (wrkRate is not null) wrkNote += F($"; best of {CapacityRounds} turns, as are the harness's and the bare loop's rates");

            using (var unpaced = new LoopbackStreamTarget(endpoint, TimeSpan.Zero, TimeSpan.Zero, options.CapacityChunksPerStream))
            {
                var run = await BenchmarkRunner.RunAsync(unpaced, new BenchmarkRunOptions
                {
                    Load = new ClosedLoopLoad(options.CapacityConcurrency),
                    MaxDuration = options.CapacityDuration,
                    WarmupRequests = CapacityWarmupRequests / 4,
                }, cancellationToken).ConfigureAwait(false);
                streamsPerSecond = run.RequestsPerSecond.Measured;
            }

            var memory = await MeasureStreamMemoryAsync(endpoint, options.MemoryStreams, cancellationToken).ConfigureAwait(false);
            return new SelfTestResult(accuracy, requestsPerSecond, streamsPerSecond, options.CapacityConcurrency, options.CapacityChunksPerStream, plainClientRate, wrkRate, wrkNote, memory,
                Stopwatch.GetElapsedTime(started).TotalSeconds, endpoint.InChildProcess, plainAccuracy, InlineSocketCompletions.Active,
                MeasuringRuntime.DescribeGen0Budget(Environment.GetEnvironmentVariable));
        }
        finally
        {
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }
    }

    /// <summary>
    /// The path a `bench` user measures: streamed completions in Groq's wire shape, one token a chunk at Groq-like speed,
    /// through the provider layer exactly as `bench` drives it. The target says in x-simulator-served when each first
    /// chunk left, so |measured − served| comes per request as with the bare rows.
    /// </summary>
    private static async Task<IReadOnlyList<TimingAccuracy>> MeasureProviderLayerAsync(PacedEndpoint endpoint, SelfTestOptions options, CancellationToken cancellationToken)
    {
        var rows = new List<TimingAccuracy>();
        await using var target = new ProviderAdapter.ProviderChatTarget(new ProviderAdapter.ProviderChatTargetOptions
        {
            Provider = "groq",
            Model = "llama-3.1-8b-instant",
            BaseUrl = endpoint.GroqBaseUrl(options.FirstChunkDelay, options.ProviderLayerChunkGap, options.ProviderLayerChunks),
            ApiKey = "gsk_self_test_only", // the loopback target checks no key
            MaxOutputTokens = options.ProviderLayerChunks,
            Streaming = true,
            Resilience = Providers.Resilience.ResilienceOptions.NoRetries,
            MaxConcurrency = options.Concurrencies.Max(),
        });
        if (options.ProviderLayerWarmup > TimeSpan.Zero)
            await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions { Load = new ClosedLoopLoad(Math.Min(64, options.Concurrencies.Max())), MaxDuration = options.ProviderLayerWarmup },
                cancellationToken).ConfigureAwait(false);
        foreach (var concurrency in options.Concurrencies)
        {
            rows.Add(await MeasureRowAsync(endpoint, TimingAccuracy.ProviderLayerPath, concurrency, options.FirstChunkDelay, options.ProviderLayerChunkGap, options.ProviderLayerChunks,
                () => BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions
                {
                    Load = new ClosedLoopLoad(concurrency),
                    MaxDuration = options.AccuracyDurationPerLevel,
                    WarmupRequests = concurrency * 4,
                }, cancellationToken),
                run => run.OutputTokens).ConfigureAwait(false)); // one token a chunk
        }
        return rows;
    }

    /// <summary>
    /// Runs one accuracy row, and takes beside the client's own figures what bounds its error from outside the client's
    /// code: the target's CPU per chunk served (warm-up included), how busy the machine was, the client's GC pauses.
    /// </summary>
    private static async Task<TimingAccuracy> MeasureRowAsync(PacedEndpoint endpoint, string path, int concurrency, TimeSpan firstChunkDelay, TimeSpan chunkGap,
        int chunksPerStream, Func<Task<Results.ScenarioResult>> measure, Func<Results.ScenarioResult, long> measuredChunks)
    {
        var machineBefore = MachineCpu.Sample();
        var targetBefore = endpoint.TargetProcessorTime;
        var run = await measure().ConfigureAwait(false);
        var machineAfter = MachineCpu.Sample();
        var targetAfter = endpoint.TargetProcessorTime;
        var (cpu, bytes) = TimingAccuracy.PerChunk(run, measuredChunks(run));
        var servedChunks = (long)(run.Started + run.WarmupRequests) * chunksPerStream;
        var streamSeconds = (firstChunkDelay + chunkGap * (chunksPerStream - 1)).TotalSeconds;
        return new TimingAccuracy(concurrency, run.Succeeded, run.TtftError, run.InterTokenGapError, run.Ttft, path, cpu, bytes)
        {
            TargetCpuMicrosecondsPerChunk = targetBefore is { } tb && targetAfter is { } ta && servedChunks > 0 ? (ta - tb).TotalMicroseconds / servedChunks : null,
            MachineBusy = MachineCpu.Busy(machineBefore, machineAfter),
            GcPauseMillisecondsPerSecond = run.Resources.GcPauseSeconds is { } pause && run.Resources.DurationSeconds > 0 ? pause * 1000 / run.Resources.DurationSeconds : null,
            OfferedChunksPerSecond = streamSeconds > 0 ? concurrency * chunksPerStream / streamSeconds : null,
        };
    }

    /// <summary>Drives the paced and the zero-cost targets, unmeasured, for <see cref="SelfTestOptions.WarmupDuration"/> together.</summary>
    private static async Task WarmUpAsync(PacedEndpoint endpoint, LoopbackStreamTarget paced, SelfTestOptions options, CancellationToken cancellationToken)
    {
        using var zero = new LoopbackZeroCostTarget(endpoint);
        var concurrency = Math.Min(64, options.Concurrencies.Max());
        foreach (var (target, share) in new (IBenchmarkTarget, double)[] { (paced, 0.75), (zero, 0.25) })
            await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions
            {
                Load = new ClosedLoopLoad(concurrency),
                MaxDuration = options.WarmupDuration * share,
            }, cancellationToken).ConfigureAwait(false);
    }

    [GeneratedRegex(@"Requests/sec:\s+(?<rate>[\d.]+)")]
    private static partial Regex WrkRate();

    private static async Task<(double? Rate, string Note)> RunWrkAsync(SelfTestOptions options, PacedEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.WrkPath)) return (null, $"{options.WrkPath} not found (Debian package 'wrk'); no reference rate");
        var seconds = Math.Max(1, (int)Math.Ceiling(options.WrkDuration.TotalSeconds));
        var arguments = F($"-t2 -c{options.CapacityConcurrency} -d{seconds}s {endpoint.ZeroUri}");
        using var process = Process.Start(new ProcessStartInfo(options.WrkPath, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"Could not start {options.WrkPath}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds + 15));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var match = WrkRate().Match(await output.ConfigureAwait(false));
        return match.Success
            ? (double.Parse(match.Groups["rate"].Value, CultureInfo.InvariantCulture), $"wrk {arguments} (exit {process.ExitCode})")
            : (null, $"wrk printed no Requests/sec (exit {process.ExitCode}): {(await errors.ConfigureAwait(false)).Trim()}");
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> bare loops of <paramref name="request"/> (no harness): unmeasured for
    /// <paramref name="warmup"/> (connections, JIT), then measured for <paramref name="duration"/>. The request is told
    /// whether it is measured (it started after the warm-up); returns the time from the end of the warm-up until the
    /// last loop stopped. The loops run through both passes, so the measured one begins in a closed loop's steady
    /// state, as <see cref="BenchmarkRunner"/>'s measured phase does, not with every loop sending at once.
    /// </summary>
    private static async Task<TimeSpan> RunBareLoopsAsync(int concurrency, TimeSpan warmup, TimeSpan duration, Func<bool, Task> request)
    {
        var measuredFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var deadline = measuredFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        async Task LoopAsync()
        {
            await Task.Yield();
            while (Stopwatch.GetTimestamp() is var now && now < deadline) await request(now >= measuredFrom).ConfigureAwait(false);
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => LoopAsync())).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(measuredFrom);
    }

    private static HttpClient NewBareClient() =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>A bare HttpClient loop (no harness, no metrics) on the same target: the reference for the harness's own cost.</summary>
    private static async Task<double> MeasurePlainClientAsync(Uri uri, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var client = NewBareClient();
        long completed = 0;
        var elapsed = await RunBareLoopsAsync(concurrency, TimeSpan.FromMilliseconds(300), duration, async measured =>
        {
            using var response = await client.GetAsync(uri, cancellationToken).ConfigureAwait(false);
            if (measured && response.IsSuccessStatusCode) Interlocked.Increment(ref completed);
        }).ConfigureAwait(false);
        return Interlocked.Read(ref completed) / elapsed.TotalSeconds;
    }

    /// <summary>
    /// The reference for timing accuracy: a bare HttpClient loop (no harness, no metrics but this one) on the same paced
    /// stream, stamping the first bytes of the body and comparing with the served first-chunk delay.
    /// </summary>
    private static async Task<TimingAccuracy> MeasurePlainClientAccuracyAsync(PacedEndpoint endpoint, SelfTestOptions options, CancellationToken cancellationToken)
    {
        var uri = endpoint.StreamUri(options.FirstChunkDelay, options.ChunkGap, options.ChunksPerStream);
        using var client = NewBareClient();
        var errors = new MetricHistogram();
        var measuredTtft = new MetricHistogram();
        var warmup = options.AccuracyDurationPerLevel < TimeSpan.FromSeconds(1) ? options.AccuracyDurationPerLevel : TimeSpan.FromSeconds(1);
        await RunBareLoopsAsync(options.ReferenceConcurrency, warmup, options.AccuracyDurationPerLevel, async measured =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var start = Stopwatch.GetTimestamp();
                long first = 0;
                using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                int read, filled = 0;
                while ((read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (first == 0) first = Stopwatch.GetTimestamp();
                    filled += read;
                }
                if (!measured || ServedFirstChunkMicros(buffer.AsSpan(0, filled)) is not { } served) return;
                var ttft = (long)Stopwatch.GetElapsedTime(start, first).TotalMicroseconds;
                lock (errors)
                {
                    errors.Record(Math.Abs(ttft - served));
                    measuredTtft.Record(ttft);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }).ConfigureAwait(false);
        return new TimingAccuracy(options.ReferenceConcurrency, (int)errors.Count,
            errors.ToDistribution("TTFT error", "ms", MetricDefinitions.TtftError, 1000),
            new MetricHistogram().ToDistribution("Chunk gap error", "ms", MetricDefinitions.InterTokenGapError, 1000),
            measuredTtft.ToDistribution("TTFT", "ms", MetricDefinitions.Ttft, 1000));
    }

    /// <summary>The <c>firstChunkUs</c> of the served-timing event in a whole stream body, or null when there is none.</summary>
    private static long? ServedFirstChunkMicros(ReadOnlySpan<byte> body)
    {
        var key = "\"firstChunkUs\":"u8;
        var at = body.IndexOf(key);
        if (at < 0) return null;
        var digits = body[(at + key.Length)..];
        var end = digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return System.Buffers.Text.Utf8Parser.TryParse(end < 0 ? digits : digits[..end], out long value, out _) ? value : null;
    }

    /// <summary>Opens <paramref name="streams"/> streams at once, waits until each has its first chunk, and measures the memory they hold.</summary>
    private static async Task<StreamMemory> MeasureStreamMemoryAsync(PacedEndpoint endpoint, int streams, CancellationToken cancellationToken)
    {
        // One chunk now, the second only after a gap far longer than the measurement: the stream stays open.
        var uri = endpoint.StreamUri(TimeSpan.Zero, TimeSpan.FromMinutes(5), 2);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        { Timeout = Timeout.InfiniteTimeSpan };
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Aggressive, compacting collections on both sides, so memory freed from earlier phases is returned to the
        // OS before the baseline and the working-set delta reflects the open streams.
        CollectAggressively();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: false);
        var workingSetBefore = Environment.WorkingSet;
        var opened = 0;
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holders = new Task[streams];
        for (var i = 0; i < streams; i++) holders[i] = HoldStreamAsync(client, uri, () => { if (Interlocked.Increment(ref opened) == streams) allOpen.TrySetResult(); }, hold.Token);
        var firstFailure = Task.WhenAny(holders).Unwrap();
        var done = await Task.WhenAny(allOpen.Task, firstFailure, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken)).ConfigureAwait(false);
        if (done != allOpen.Task)
        {
            await hold.CancelAsync().ConfigureAwait(false);
            await done.ConfigureAwait(false); // surfaces the failure or the cancellation
            throw new TimeoutException($"Only {Volatile.Read(ref opened)} of {streams} streams opened within 30 s.");
        }
        CollectAggressively();
        var managedAfter = GC.GetTotalMemory(forceFullCollection: false);
        var workingSetAfter = Environment.WorkingSet;
        await hold.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(holders).ConfigureAwait(false); }
        catch (OperationCanceledException) { /* the holders end by cancellation, as intended */ }
        return new StreamMemory(streams, (double)(managedAfter - managedBefore) / streams, (double)(workingSetAfter - workingSetBefore) / streams);
    }

    private static void CollectAggressively()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static async Task HoldStreamAsync(HttpClient client, Uri uri, Action onFirstChunk, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(512);
        try
        {
            if (await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0) onFirstChunk();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
