using System.Collections.Concurrent;
using ProviderSpecs.Benchmarking.Budgets;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.ProviderAdapter;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Benchmarking.Targets;
using ProviderSpecs.Drivers.LivePlan;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Simulators;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// Performance budgets on measured distributions. Each measurement streams completions through the provider
/// layer (the benchmark framework's <see cref="ProviderChatTarget"/>); on the simulated target the scenario's
/// scope is set back to the latency profile's real timing (functional scenarios run it scaled down), so the
/// profile is the ground truth the measurements are held to.
/// </summary>
public sealed class PerformanceDriver(SpecTarget target, ScenarioTranscript transcript)
{
    /// <summary>Live runs spend real money: a measurement there takes at most this many requests.</summary>
    public const int LiveSampleCap = 20;

    /// <summary>Output tokens per request: enough chunks for TPOT and gaps, short enough to keep the suite quick.</summary>
    public const int OutputTokensPerRequest = 32;

    /// <summary>
    /// What one measurement spends: its requests (capped on the live target) plus one warm-up request per concurrency
    /// slot, each reserving <see cref="OutputTokensPerRequest"/> output tokens.
    /// </summary>
    public static LiveSpend SpendOf(int requests, int concurrency, TargetKind target) =>
        LiveSpend.Of(MeasuredRequests(requests, concurrency, target) + concurrency, OutputTokensPerRequest);

    /// <summary>
    /// Live, a measurement takes at most <see cref="LiveSampleCap"/> requests — but never less than two full waves of its
    /// concurrency, so a closed loop's throughput is not read off a half-empty last wave.
    /// </summary>
    private static int MeasuredRequests(int requests, int concurrency, TargetKind target) =>
        target == TargetKind.Live ? Math.Min(requests, Math.Max(LiveSampleCap, 2 * concurrency)) : requests;

    private static readonly ConcurrentQueue<ScenarioResult> RunResults = new();

    private readonly Dictionary<string, ScenarioResult> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatorScope> _scopes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _latencyScale = new(StringComparer.Ordinal);
    private ScenarioResult? _last;
    private readonly ConcurrentBag<ProviderChatObservation> _observations = [];
    private SimulatorScope? _lastScope;

    public ProviderDefinition LastProvider { get; private set; } = null!;

    public ScenarioResult Last => _last ?? throw new InvalidOperationException("Nothing was measured yet in this scenario.");

    /// <summary>Makes the provider's simulator serve this scenario <paramref name="factor"/> times slower than its profile.</summary>
    public void SlowDown(ProviderDefinition provider, double factor) => _latencyScale[provider.Id] = factor;

    /// <summary>
    /// The provider rate-limits the next <paramref name="count"/> measured requests, asking to retry after the given
    /// delay. Injected when the first measured request starts, so the warm-up does not absorb the burst.
    /// </summary>
    public void RateLimitNext(ProviderDefinition provider, int count, TimeSpan retryAfter, string scenario)
    {
        var scope = Scope(provider, scenario);
        _rateLimitCondition = $"rate-limit burst of {count} (Retry-After {retryAfter.TotalSeconds:0.##} s)";
        _beforeFirstMeasuredRequest = () => scope.InjectFault(FaultKind.RateLimitSequence, new FaultOptions { Count = count, RetryAfter = retryAfter });
    }

    private Action? _beforeFirstMeasuredRequest;
    private string? _rateLimitCondition;

    public async Task MeasureAsync(ProviderDefinition provider, string model, int requests, int concurrency, bool streaming,
        string scenario, int retries = 0)
    {
        requests = MeasuredRequests(requests, concurrency, target.Kind);
        var needed = requests + concurrency; // with the warm-up, all sent as fast as the concurrency allows
        var limits = AccountLimits.Require(target.Pacer, provider, model, needed, concurrency, $"this measurement (concurrency {concurrency}, warm-up included)");
        var scope = target.Kind == TargetKind.Simulated ? Scope(provider, scenario) : null;
        var endpoint = scope is null ? target.Endpoint(provider.Id, scenario) : null;
        var label = $"{provider.Id}/{model} {(streaming ? "streaming" : "non-streaming")} c={concurrency}";

        await using var benchmarkTarget = new ProviderChatTarget(new ProviderChatTargetOptions
        {
            Provider = provider.Id,
            Model = model,
            BaseUrl = scope is null ? endpoint!.BaseUrl : target.Simulators![provider.Id].BaseUrl,
            ApiKey = scope?.ApiKey,
            Environment = target.CredentialEnvironment, // live: the target's credential chain and *_BASE_URL
            Streaming = streaming,
            MaxOutputTokens = OutputTokensPerRequest,
            MaxConcurrency = concurrency,
            Resilience = new ResilienceOptions { MaxRetries = retries, MaxRetryAfter = TimeSpan.FromSeconds(5) },
            OnCompleted = _observations.Add,
            Budget = target.Budget, // the run's one live budget (simulated: a counting one, so the spend is metered)
            RateLimits = target.Pacer,
        });
        _observations.Clear();
        _lastScope = scope;
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hung measurement fails, never blocks the run
        IBenchmarkTarget measured = _beforeFirstMeasuredRequest is { } prepare ? new AfterWarmup(benchmarkTarget, prepare) : benchmarkTarget;
        var conditions = new List<string>();
        if (_latencyScale.GetValueOrDefault(provider.Id, 1.0) is var scale and not 1.0) conditions.Add($"latency profile ×{scale}");
        if (_beforeFirstMeasuredRequest is not null) conditions.Add(_rateLimitCondition!);
        _beforeFirstMeasuredRequest = null;
        var result = await BenchmarkRunner.RunAsync(measured, new BenchmarkRunOptions
        {
            Load = new ClosedLoopLoad(concurrency),
            MaxRequests = requests,
            Name = $"{scenario} — {label}",
        }, safety.Token) with { Conditions = conditions };

        if (result.ErrorsByKey.TryGetValue(Providers.Errors.ErrorKeys.BudgetExhausted, out var refused))
            throw new ScenarioCannotRunException($"{ScenarioCannotRunException.BudgetSpentReason}: {refused} of {result.Started} requests of {label} were refused ({target.Budget}).");
        limits.RequireUnshaped(needed, concurrency);
        transcript.Record(result.NotMeasuredReason() is { } notMeasured
            ? $"{label}: {notMeasured}"
            : $"{label}: {result.Succeeded}/{result.Started} succeeded; P50 TTFT {result.Ttft.Format(Percentile.P50)} ms, P95 TTFT {result.Ttft.Format(Percentile.P95)} ms, P50 TPOT {result.Tpot.Format(Percentile.P50, "0.00")} ms, {result.OutputTokensPerSecond.Value:F0} output tok/s");
        _results[label] = result;
        _last = result;
        LastProvider = provider;
        RunResults.Enqueue(result);
    }

    private SimulatorScope Scope(ProviderDefinition provider, string scenario)
    {
        if (!_scopes.TryGetValue(provider.Id, out var scope))
        {
            scope = target.Endpoint(provider.Id, scenario).RequireScope();
            _scopes[provider.Id] = scope;
        }
        scope.UseLatencyScale(_latencyScale.GetValueOrDefault(provider.Id, 1.0));
        return scope;
    }

    public void EveryRequestShouldSucceed() =>
        Last.Failed.ShouldBe(0, $"errors by key: {string.Join(", ", Last.ErrorsByKey.Select(e => $"{e.Key} × {e.Value}"))}");

    public BudgetVerdict BudgetShouldBeMet(string budget)
    {
        var verdict = Budget.Parse(budget).Evaluate(Last);
        if (verdict.NotMeasured) throw NotMeasured(verdict.Explanation, Last);
        verdict.Passed.ShouldBeTrue(verdict.Explanation);
        return verdict;
    }

    public BudgetVerdict BudgetShouldBeMissed(string budget)
    {
        var verdict = Budget.Parse(budget).Evaluate(Last);
        if (verdict.NotMeasured) throw NotMeasured(verdict.Explanation, Last);
        verdict.Missed.ShouldBeTrue($"a provider this slow should miss the budget, but: {verdict.Explanation}");
        return verdict;
    }

    /// <summary>
    /// A figure read from a measurement with too few successful requests is neither a pass nor a miss. Live, when the
    /// account's rate limits or the live budget refused the requests, the scenario is skipped with that reason; anything
    /// else (and anything on the simulated target) fails it, saying how many requests succeeded and why the others did not.
    /// </summary>
    private Exception NotMeasured(string explanation, params ScenarioResult[] results)
    {
        var outsideCauses = new[] { Providers.Errors.ErrorKeys.RateLimited, Providers.Errors.ErrorKeys.BudgetExhausted };
        var failures = results.SelectMany(r => r.ErrorsByKey).ToList();
        var causedOutside = failures.Count > 0 && failures.All(e => outsideCauses.Contains(e.Key));
        var message = explanation.Contains("not measured", StringComparison.Ordinal) ? explanation : $"not measured: {explanation}";
        return target.Kind == TargetKind.Live && causedOutside
            ? new ScenarioCannotRunException($"{message} — the account's rate limits or the live budget refused them{(target.Pacer is { } pacer ? $"; limits seen: {string.Join("; ", results.Select(r => pacer.Describe(r.Provider, r.Model)).Distinct())}" : "")}")
            : new ShouldAssertException(message);
    }

    /// <summary>The run's figure, or a not-measured outcome (see <see cref="NotMeasured"/>) when it has fewer than <paramref name="minimum"/> successful samples.</summary>
    private double Measured(ScenarioResult result, Distribution distribution, Percentile statistic, string what)
    {
        var minimum = statistic.MinimumSamples();
        if (!distribution.HasAtLeast(minimum))
            throw NotMeasured($"{what}: {result.NotMeasuredReason(minimum) ?? $"not measured: {distribution.Count} samples, {minimum} needed"}", result);
        return distribution.ValueOf(statistic);
    }

    private double Measured(ScenarioResult result, Rate rate, string what) =>
        rate.Value is { } value && result.NotMeasuredReason() is null ? value : throw NotMeasured($"{what}: {result.NotMeasuredReason() ?? "not measured"}", result);

    /// <summary>
    /// The measurement agrees with the ground truth: per request, the measured time to first token against when the
    /// simulator says the first chunk left (its <c>x-simulator-served</c> header) — |measured − served| at the median.
    /// </summary>
    public string MeasuredFirstTokenShouldMatchServed(double maxMedianErrorMs)
    {
        var errors = Last.TtftError;
        var median = Measured(Last, errors, Percentile.P50, "measured − served time to first token");
        median.ShouldBeLessThanOrEqualTo(maxMedianErrorMs, $"|measured − served| time to first token: P50 {median:F2} ms, P99 {errors.Format(Percentile.P99, "0.00")} ms over {errors.Count} requests");
        errors.Count.ShouldBeGreaterThan(Last.Succeeded / 2, "most successful requests carried no served timing: the target did not say what it served");
        return $"|measured − served| time to first token over {errors.Count} requests: P50 {median:F2} ms, P99 {errors.Format(Percentile.P99, "0.00")} ms";
    }

    public ScenarioResult Result(string provider, string model, bool streaming, int concurrency) =>
        _results.GetValueOrDefault($"{target.ResolveProvider(provider).Id}/{model} {(streaming ? "streaming" : "non-streaming")} c={concurrency}")
        ?? throw new InvalidOperationException($"{provider} {model} at concurrency {concurrency} was not measured in this scenario.");

    public string ThroughputShouldGrow(ProviderDefinition provider, string model, int from, int to, double factor)
    {
        var lowRun = Result(provider.Id, model, true, from);
        var highRun = Result(provider.Id, model, true, to);
        var low = Measured(lowRun, lowRun.OutputTokensPerSecond, $"output tokens/s at concurrency {from}");
        var high = Measured(highRun, highRun.OutputTokensPerSecond, $"output tokens/s at concurrency {to}");
        (high / low).ShouldBeGreaterThanOrEqualTo(factor, $"output tokens/s went from {low:F0} at concurrency {from} to {high:F0} at {to}");
        return $"output tokens/s: {low:F0} at concurrency {from} → {high:F0} at {to} ({high / low:F1}×)";
    }

    public string RecoveryShouldBeWithin(TimeSpan limit)
    {
        Last.RateLimitedResponses.ShouldBeGreaterThan(0, "no rate limit was met, so recovery was not exercised");
        var slowest = Measured(Last, Last.RateLimitRecovery, Percentile.Max, "rate-limit recovery");
        slowest.ShouldBeLessThanOrEqualTo(limit.TotalMilliseconds, $"the slowest recovery took {slowest:F0} ms");
        return $"{Last.RateLimitedResponses} rate-limited responses; serving again after at most {slowest:F0} ms";
    }

    public string ShouldBeFaster(string metric, string fasterProvider, string fasterModel, string slowerProvider, string slowerModel, int concurrency)
    {
        var faster = Result(fasterProvider, fasterModel, true, concurrency);
        var slower = Result(slowerProvider, slowerModel, true, concurrency);
        var (a, b, higherIsBetter) = metric switch
        {
            "time to first token" => (Measured(faster, faster.Ttft, Percentile.P50, $"{fasterProvider}'s P50 {metric}"),
                Measured(slower, slower.Ttft, Percentile.P50, $"{slowerProvider}'s P50 {metric}"), false),
            "output tokens per second" => (Measured(faster, faster.OutputTokensPerSecondPerRequest, Percentile.P50, $"{fasterProvider}'s P50 {metric}"),
                Measured(slower, slower.OutputTokensPerSecondPerRequest, Percentile.P50, $"{slowerProvider}'s P50 {metric}"), true),
            _ => throw new ArgumentException($"'{metric}' is not compared here; use 'time to first token' or 'output tokens per second'."),
        };
        (higherIsBetter ? a > b : a < b).ShouldBeTrue($"P50 {metric}: {fasterProvider} {a:F1} vs {slowerProvider} {b:F1}");
        return $"P50 {metric}: {fasterProvider} {a:F1}, {slowerProvider} {b:F1}";
    }

    public string StreamingShouldShowFirstTokenBeforeCompleteAnswer(ProviderDefinition provider, string model, int concurrency)
    {
        var streamed = Result(provider.Id, model, true, concurrency);
        var whole = Result(provider.Id, model, false, concurrency);
        var firstToken = Measured(streamed, streamed.Ttft, Percentile.P50, "streaming's P50 TTFT");
        var complete = Measured(whole, whole.EndToEnd, Percentile.P50, "a non-streamed answer's P50 end-to-end");
        firstToken.ShouldBeLessThan(complete,
            $"streaming's P50 TTFT {firstToken:F1} ms should come before a non-streamed answer's P50 end-to-end {complete:F1} ms");
        return $"P50 TTFT streamed {firstToken:F1} ms vs P50 complete answer {complete:F1} ms";
    }

    /// <summary>Writes every measurement of the run so far into the performance report folder (Markdown, JSON, charts).</summary>
    public static IReadOnlyList<string> WriteReport(string reportsDirectory, TargetKind kind)
    {
        var results = RunResults.ToArray();
        if (results.Length == 0) return [];
        var document = new BenchmarkDocument
        {
            Metadata = RunMetadata.Capture(kind.ToString().ToLowerInvariant(), notes: "measured by the @performance_benchmarks features"),
            Scenarios = results,
        };
        return BenchmarkReport.WriteAll(document, Path.Combine(reportsDirectory, "benchmarks", "performance-features"));
    }

    /// <summary>Runs an action once, when the first request after the warm-up starts.</summary>
    private sealed class AfterWarmup(IBenchmarkTarget inner, Action action) : IBenchmarkTarget
    {
        private int _done;
        public string Provider => inner.Provider;
        public string Model => inner.Model;

        public ValueTask<RequestOutcome> SendAsync(RequestContext context, CancellationToken cancellationToken)
        {
            if (!context.IsWarmup && Interlocked.Exchange(ref _done, 1) == 0) action();
            return inner.SendAsync(context, cancellationToken);
        }
    }
}
