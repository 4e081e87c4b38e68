using System.Collections.Concurrent;
using System.Globalization;
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
using ProviderSpecs.Providers.Credentials;
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

    private readonly Dictionary<string, Measurement> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _latencyScale = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _newConnectionDelay = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (FaultKind Kind, FaultOptions Options, string Condition)> _faultOnMeasuredRequests = new(StringComparer.Ordinal);
    private TimeSpan? _keyStoreDelay;
    private Measurement? _last;
    private readonly ConcurrentBag<ProviderChatObservation> _observations = [];

    public ProviderDefinition LastProvider { get; private set; } = null!;

    public ScenarioResult Last => (_last ?? throw new InvalidOperationException("Nothing was measured yet in this scenario.")).Result;

    /// <summary>One measurement of the scenario: the run's figures and what the benchmark result does not hold.</summary>
    private sealed record Measurement(ProviderDefinition Provider, ClientSetup Setup, bool Streaming, ScenarioResult Result, int? ConnectionsOpened,
        IReadOnlyList<ProviderChatObservation> Observations);

    /// <summary>Makes the provider's simulator serve this scenario <paramref name="factor"/> times slower than its profile.</summary>
    public void SlowDown(ProviderDefinition provider, double factor) => _latencyScale[provider.Id] = factor;

    /// <summary>
    /// Makes every new connection to the provider's simulator cost <paramref name="setUp"/> before its first request is
    /// served — the handshakes of a provider far away (simulated target only; a loopback connection otherwise costs nothing).
    /// </summary>
    public void SlowNewConnections(ProviderDefinition provider, TimeSpan setUp) => _newConnectionDelay[provider.Id] = setUp;

    /// <summary>
    /// Keeps the API key in a store that takes <paramref name="lookup"/> to answer (a remote secret store): every walk of
    /// the credential chain pays it. The chain finds the key as the provider's environment variable, as it does live.
    /// </summary>
    public void KeepKeyInSlowStore(TimeSpan lookup) => _keyStoreDelay = lookup;

    /// <summary>
    /// The provider rate-limits the next <paramref name="count"/> measured requests, asking to retry after the given
    /// delay. Injected when the first measured request starts, so the warm-up does not absorb the burst.
    /// </summary>
    public void RateLimitNext(ProviderDefinition provider, int count, TimeSpan retryAfter, string scenario) =>
        FailNext(provider, FaultKind.RateLimitSequence, count, scenario, retryAfter);

    /// <summary>
    /// The provider fails the next <paramref name="count"/> measured requests with <paramref name="fault"/> (simulated
    /// target only). Injected when the first measured request starts, so the warm-up does not absorb it.
    /// </summary>
    public void FailNext(ProviderDefinition provider, FaultKind fault, int count, string scenario, TimeSpan? retryAfter = null)
    {
        if (target.Kind != TargetKind.Simulated)
            throw new InvalidOperationException($"Injecting '{FaultNames.NameOf(fault)}' needs the simulated {provider.DisplayName}: tag the scenario @simulator_only so the live target skips it.");
        var condition = fault == FaultKind.RateLimitSequence
            ? $"rate-limit burst of {count} (Retry-After {(retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds:0.##} s)"
            : $"{FaultNames.NameOf(fault)} on {count} requests";
        _faultOnMeasuredRequests[provider.Id] = (fault, new FaultOptions { Count = count, RetryAfter = retryAfter }, condition);
    }

    public Task MeasureAsync(ProviderDefinition provider, string model, int requests, int concurrency, bool streaming,
        string scenario, int retries = 0) =>
        MeasureAsync(provider, model, requests, concurrency, scenario, ClientSetup.Warm, streaming, retries);

    /// <summary>
    /// Measures <paramref name="requests"/> answers of the model (capped on the live target), <paramref name="concurrency"/>
    /// at a time after a warm-up of one request per slot, from a client set up as <paramref name="setup"/> says. On the
    /// simulated target every measurement gets a fresh scope named after the scenario, so two measurements of the same
    /// size in a scenario are served the same sampled timings: what differs between them is the client's doing.
    /// </summary>
    public async Task MeasureAsync(ProviderDefinition provider, string model, int requests, int concurrency, string scenario, ClientSetup setup,
        bool streaming = true, int retries = 0)
    {
        requests = MeasuredRequests(requests, concurrency, target.Kind);
        var needed = requests + concurrency; // with the warm-up, all sent as fast as the concurrency allows
        var limits = await AccountLimits.RequireAsync(target.Pacer, provider, model, needed, concurrency, $"this measurement (concurrency {concurrency}, warm-up included)");
        var endpoint = target.Endpoint(provider.Id, scenario);
        var scope = endpoint.Scope;
        var label = Label(provider, model, streaming, concurrency, setup);
        var conditions = new List<string>();
        if (scope is not null)
        {
            scope.UseLatencyScale(_latencyScale.GetValueOrDefault(provider.Id, 1.0));
            if (_latencyScale.GetValueOrDefault(provider.Id, 1.0) is var scale and not 1.0) conditions.Add($"latency profile ×{scale}");
            if (_newConnectionDelay.TryGetValue(provider.Id, out var setUp))
            {
                scope.SetNewConnectionDelay(setUp);
                conditions.Add($"new connections cost {setUp.TotalMilliseconds:0} ms");
            }
        }
        if (_keyStoreDelay is { } lookup) conditions.Add($"key store answers in {lookup.TotalMilliseconds:0} ms");

        await using var benchmarkTarget = new ProviderChatTarget(new ProviderChatTargetOptions
        {
            Provider = provider.Id,
            Model = model,
            BaseUrl = scope is null ? endpoint.BaseUrl : target.Simulators![provider.Id].BaseUrl,
            // The key comes from the credential chain, as it does in production: live, the target's (the process's
            // environment, .env, the credentials file); simulated, the scope's test key as the provider's environment variable.
            Environment = KeyEnvironment(provider, scope),
            Streaming = streaming,
            MaxOutputTokens = OutputTokensPerRequest,
            MaxConcurrency = concurrency,
            CredentialResolution = setup.Credentials,
            Resilience = new ResilienceOptions { MaxRetries = retries, MaxRetryAfter = TimeSpan.FromSeconds(5) },
            OnCompleted = observation => { if (Volatile.Read(ref _measuring)) _observations.Add(observation); },
            Budget = target.Budget, // the run's one live budget (simulated: a counting one, so the spend is metered)
            RateLimits = target.Pacer,
        });
        _observations.Clear();
        using var connections = new ConnectionCounter(benchmarkTarget.BaseUrl);
        int? openedBeforeMeasuring = null;
        var pendingFault = scope is not null && _faultOnMeasuredRequests.Remove(provider.Id, out var fault) ? fault : default;
        if (pendingFault.Condition is not null) conditions.Add(pendingFault.Condition);
        Volatile.Write(ref _measuring, false);
        var measured = new AfterWarmup(benchmarkTarget, () =>
        {
            openedBeforeMeasuring = connections.Opened;
            Volatile.Write(ref _measuring, true);
            if (pendingFault.Condition is not null) scope!.InjectFault(pendingFault.Kind, pendingFault.Options);
        });
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hung measurement fails, never blocks the run
        var result = await BenchmarkRunner.RunAsync(measured, new BenchmarkRunOptions
        {
            Load = new ClosedLoopLoad(concurrency),
            MaxRequests = requests,
            ConnectionMode = setup.Connections,
            Name = $"{scenario} — {label}",
        }, safety.Token) with { Conditions = conditions };
        var opened = openedBeforeMeasuring is { } before ? connections.Opened - before : (int?)null;

        if (result.ErrorsByKey.TryGetValue(Providers.Errors.ErrorKeys.BudgetExhausted, out var refused))
            throw new ScenarioCannotRunException($"{ScenarioCannotRunException.BudgetSpentReason}: {refused} of {result.Started} requests of {label} were refused ({target.Budget}).");
        limits.RequireUnshaped(needed, concurrency);
        transcript.Record(result.NotMeasuredReason() is { } notMeasured
            ? $"{label}: {notMeasured}"
            : $"{label}: {result.Succeeded}/{result.Started} succeeded; P50 TTFT {result.Ttft.Format(Percentile.P50)} ms, P95 TTFT {result.Ttft.Format(Percentile.P95)} ms, P50 TPOT {result.Tpot.Format(Percentile.P50, "0.00")} ms, {result.OutputTokensPerSecond.Value:F0} output tok/s; {opened?.ToString(CultureInfo.InvariantCulture) ?? "?"} connections opened after the warm-up, {result.Resources.AllocatedBytesPerRequest / 1024:F0} KB allocated per request");
        var measurement = new Measurement(provider, setup, streaming, result, opened, _observations.ToList());
        _results[label] = measurement;
        _last = measurement;
        LastProvider = provider;
        RunResults.Enqueue(result);
    }

    private bool _measuring;

    private static string Label(ProviderDefinition provider, string model, bool streaming, int concurrency, ClientSetup setup) =>
        $"{provider.Id}/{model} {(streaming ? "streaming" : "non-streaming")} c={concurrency}{(setup.Label.Length > 0 ? " " + setup.Label : "")}";

    /// <summary>Where the measured client's credential chain looks (see <see cref="MeasureAsync(ProviderDefinition, string, int, int, string, ClientSetup, bool, int)"/>).</summary>
    private CredentialEnvironment? KeyEnvironment(ProviderDefinition provider, SimulatorScope? scope)
    {
        var environment = scope is null
            ? target.CredentialEnvironment
            : new CredentialEnvironment
            {
                GetEnvironmentVariable = name => name == provider.KeyEnvVar ? scope.ApiKey : null,
                WorkingDirectory = AppContext.BaseDirectory, // never consulted: the variable answers first
            };
        if (_keyStoreDelay is not { } delay) return environment;
        var inner = environment ?? CredentialEnvironment.FromProcess();
        return inner with
        {
            GetEnvironmentVariable = name =>
            {
                if (name == provider.KeyEnvVar) Thread.Sleep(delay); // a synchronous secret-store call, as the chain's sources are
                return inner.GetEnvironmentVariable(name);
            },
        };
    }

    public void EveryRequestShouldSucceed() =>
        Last.Failed.ShouldBe(0, $"errors by key: {string.Join(", ", Last.ErrorsByKey.Select(e => $"{e.Key} × {e.Value}"))}");

    public BudgetVerdict BudgetShouldBeMet(string budget) => BudgetShouldBeMet(Budget.Parse(budget));

    public BudgetVerdict BudgetShouldBeMissed(string budget) => BudgetShouldBeMissed(Budget.Parse(budget));

    /// <summary>"the 95th-percentile time to the first word stays under half a second", in the reader's words.</summary>
    public BudgetVerdict ShouldStayUnder(string statistic, string figure, string limit) => BudgetShouldBeMet(FigureWording.Budget(statistic, figure, limit));

    /// <summary>"the 95th-percentile time to the first word is not under half a second": the budget is missed.</summary>
    public BudgetVerdict ShouldNotStayUnder(string statistic, string figure, string limit) => BudgetShouldBeMissed(FigureWording.Budget(statistic, figure, limit));

    public BudgetVerdict BudgetShouldBeMet(Budget budget)
    {
        var verdict = budget.Evaluate(Last);
        if (verdict.NotMeasured) throw NotMeasured(verdict.Explanation, Last);
        verdict.Passed.ShouldBeTrue(verdict.Explanation);
        return verdict;
    }

    public BudgetVerdict BudgetShouldBeMissed(Budget budget)
    {
        var verdict = budget.Evaluate(Last);
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
        Find(target.ResolveProvider(provider), model, streaming, concurrency, ClientSetup.Warm).Result;

    private Measurement Find(ProviderDefinition provider, string model, bool streaming, int concurrency, ClientSetup setup) =>
        _results.GetValueOrDefault(Label(provider, model, streaming, concurrency, setup))
        ?? throw new InvalidOperationException($"{provider.DisplayName} {model} {(streaming ? "streamed" : "non-streamed")} {concurrency} at a time{(setup.Label.Length > 0 ? $" ({setup.Label})" : "")} was not measured in this scenario.");

    /// <summary>The scenario's latest streamed measurement of the model from a warm client, whatever its concurrency.</summary>
    private Measurement Latest(ProviderDefinition provider, string model, ClientSetup? setup = null) =>
        _results.Values.LastOrDefault(m => m.Provider.Id == provider.Id && m.Result.Model == model && m.Streaming && m.Setup == (setup ?? ClientSetup.Warm))
        ?? throw new InvalidOperationException($"{provider.DisplayName}'s {model} was not measured (streamed{(setup is { Label.Length: > 0 } s ? $", {s.Label}" : "")}) in this scenario.");

    /// <summary>The median time to the first word of the model's latest streamed measurement from a warm client; null when it was not measured.</summary>
    public double? MedianTimeToFirstWord(ProviderDefinition provider, string model) =>
        _results.Values.LastOrDefault(m => m.Provider.Id == provider.Id && m.Result.Model == model && m.Streaming && m.Setup == ClientSetup.Warm) is { } measurement
        && measurement.Result.Ttft.HasAtLeast(Percentile.P50.MinimumSamples())
            ? measurement.Result.Ttft.ValueOf(Percentile.P50)
            : null;

    public string ThroughputShouldGrow(ProviderDefinition provider, string model, int from, int to, double factor)
    {
        var lowRun = Result(provider.Id, model, true, from);
        var highRun = Result(provider.Id, model, true, to);
        var low = Measured(lowRun, lowRun.OutputTokensPerSecond, $"answer tokens per second {from} at a time");
        var high = Measured(highRun, highRun.OutputTokensPerSecond, $"answer tokens per second {to} at a time");
        (high / low).ShouldBeGreaterThanOrEqualTo(factor, $"answer tokens per second went from {low:F0} with {from} at a time to {high:F0} with {to} at a time");
        return $"answer tokens per second: {low:F0} with {from} at a time → {high:F0} with {to} at a time ({high / low:F1}×)";
    }

    /// <summary>"Groq's X starts its answers sooner than Together AI's Y at the median": P50 time to the first word, figures either way.</summary>
    public string ShouldStartSooner(ProviderDefinition sooner, string soonerModel, ProviderDefinition later, string laterModel) =>
        Compare("median time to the first word", sooner, soonerModel, later, laterModel,
            r => r.Ttft, higherIsBetter: false, FigureWording.Ms);

    /// <summary>"Groq's X writes more answer tokens per second than Together AI's Y at the median": P50 per-request output speed, figures either way.</summary>
    public string ShouldWriteFaster(ProviderDefinition faster, string fasterModel, ProviderDefinition slower, string slowerModel) =>
        Compare("median answer tokens per second", faster, fasterModel, slower, slowerModel,
            r => r.OutputTokensPerSecondPerRequest, higherIsBetter: true, v => $"{v:F0} tok/s");

    private string Compare(string figure, ProviderDefinition better, string betterModel, ProviderDefinition worse, string worseModel,
        Func<ScenarioResult, Distribution> select, bool higherIsBetter, Func<double, string> format)
    {
        var first = Latest(better, betterModel).Result;
        var second = Latest(worse, worseModel).Result;
        var a = Measured(first, select(first), Percentile.P50, $"{better.DisplayName}'s {betterModel}: {figure}");
        var b = Measured(second, select(second), Percentile.P50, $"{worse.DisplayName}'s {worseModel}: {figure}");
        var figures = $"{figure}: {better.DisplayName}'s {betterModel} {format(a)}, {worse.DisplayName}'s {worseModel} {format(b)}";
        (higherIsBetter ? a > b : a < b).ShouldBeTrue(figures);
        return figures;
    }

    /// <summary>Kept for the driver's tests: <paramref name="metric"/> is "time to first token" or "output tokens per second".</summary>
    public string ShouldBeFaster(string metric, string fasterProvider, string fasterModel, string slowerProvider, string slowerModel, int concurrency) => metric switch
    {
        "time to first token" => ShouldStartSooner(target.ResolveProvider(fasterProvider), fasterModel, target.ResolveProvider(slowerProvider), slowerModel),
        "output tokens per second" => ShouldWriteFaster(target.ResolveProvider(fasterProvider), fasterModel, target.ResolveProvider(slowerProvider), slowerModel),
        _ => throw new ArgumentException($"'{metric}' is not compared here; use 'time to first token' or 'output tokens per second'."),
    };

    public string StreamingShouldShowFirstTokenBeforeCompleteAnswer(ProviderDefinition provider, string model, int concurrency)
    {
        var streamed = Result(provider.Id, model, true, concurrency);
        var whole = Result(provider.Id, model, false, concurrency);
        var firstToken = Measured(streamed, streamed.Ttft, Percentile.P50, "streaming's median time to the first word");
        var complete = Measured(whole, whole.EndToEnd, Percentile.P50, "a non-streamed answer's median time to the complete answer");
        firstToken.ShouldBeLessThan(complete,
            $"streaming's median time to the first word {FigureWording.Ms(firstToken)} should come before a non-streamed answer's median time to the complete answer {FigureWording.Ms(complete)}");
        return $"median time to the first word streamed {FigureWording.Ms(firstToken)} vs median complete answer {FigureWording.Ms(complete)}";
    }

    // ---- resources: cold start, connection reuse, key lookup, memory, errors under load ----

    /// <summary>
    /// A cold start — a newly started client for every request: a new connection and a new session — adds at most
    /// <paramref name="limit"/> to the median time to the first word of the same model measured from a warm client.
    /// </summary>
    public string ColdStartShouldAddAtMost(ProviderDefinition provider, string model, string limit)
    {
        var most = FigureWording.Duration(limit).TotalMilliseconds;
        var warm = Latest(provider, model);
        var cold = Latest(provider, model, ClientSetup.Cold);
        var warmP50 = Measured(warm.Result, warm.Result.Ttft, Percentile.P50, "a warm client's median time to the first word");
        var coldP50 = Measured(cold.Result, cold.Result.Ttft, Percentile.P50, "a cold client's median time to the first word");
        var figures = $"median time to the first word: warm {FigureWording.Ms(warmP50)}, cold {FigureWording.Ms(coldP50)} ({Signed(coldP50 - warmP50)}); "
                      + $"connections opened after the warm-up: warm {Connections(warm)}, cold {Connections(cold)}";
        (coldP50 - warmP50).ShouldBeLessThanOrEqualTo(most, $"a cold start added more than {FigureWording.Ms(most)}: {figures}");
        return figures;
    }

    /// <summary>After the warm-up, at most <paramref name="count"/> in <paramref name="outOf"/> measured answers needed a connection of their own.</summary>
    public string NewConnectionsShouldBeAtMost(int count, int outOf)
    {
        var share = FigureWording.Share(count, outOf);
        var last = _last ?? throw new InvalidOperationException("Nothing was measured yet in this scenario.");
        var opened = last.ConnectionsOpened ?? throw NotMeasured("connections opened: no measured request started", last.Result);
        if (last.Result.NotMeasuredReason() is { } reason) throw NotMeasured($"connections opened: {reason}", last.Result);
        var figures = $"{opened} connections opened for {last.Result.Started} answers after the warm-up of {last.Result.WarmupRequests} (at most {count} in {outOf} allowed: {share * last.Result.Started:0.#})";
        ((double)opened).ShouldBeLessThanOrEqualTo(share * last.Result.Started, figures);
        return figures;
    }

    /// <summary>The median time the measured client spent finding the key for a request (walking the credential chain) is at most <paramref name="limit"/>.</summary>
    public string KeyLookupShouldTakeAtMost(ProviderDefinition provider, string model, string limit)
    {
        var most = FigureWording.Duration(limit).TotalMilliseconds;
        var perRequest = Latest(provider, model, ClientSetup.KeyPerRequest);
        var lookups = perRequest.Observations.Where(o => o.CredentialResolutionTime is not null).Select(o => o.CredentialResolutionTime!.Value.TotalMilliseconds).Order().ToList();
        if (lookups.Count < Percentile.P50.MinimumSamples())
            throw NotMeasured($"the key lookup: {lookups.Count} lookups timed, {Percentile.P50.MinimumSamples()} needed", perRequest.Result);
        var median = lookups[(lookups.Count - 1) / 2];
        var once = Latest(provider, model);
        var figures = $"finding the key for each request: median {FigureWording.Ms(median)}, slowest {FigureWording.Ms(lookups[^1])} over {lookups.Count} requests; "
                      + $"median time to the first word with the key looked up once {once.Result.Ttft.Format(Percentile.P50, "0")} ms, for every request {perRequest.Result.Ttft.Format(Percentile.P50, "0")} ms";
        median.ShouldBeLessThanOrEqualTo(most, figures);
        return figures;
    }

    /// <summary>
    /// Memory per answer under load: the bytes the process allocated per answer with <paramref name="loaded"/> at a time
    /// are at most <paramref name="factor"/> times those with <paramref name="alone"/> at a time, both measured in this
    /// scenario (a ratio, so the machine and whatever else the process does per answer cancel out).
    /// </summary>
    public string MemoryPerAnswerShouldGrowAtMost(ProviderDefinition provider, string model, int alone, int loaded, double factor)
    {
        var quiet = Find(provider, model, true, alone, ClientSetup.Warm).Result;
        var busy = Find(provider, model, true, loaded, ClientSetup.Warm).Result;
        foreach (var run in new[] { quiet, busy })
            if (run.NotMeasuredReason() is { } reason) throw NotMeasured($"memory per answer {run.Load.MaxConcurrency} at a time: {reason}", run);
        var (a, b) = (quiet.Resources.AllocatedBytesPerRequest, busy.Resources.AllocatedBytesPerRequest);
        var figures = $"memory allocated per answer: {a / 1024:F0} KB with {alone} at a time, {b / 1024:F0} KB with {loaded} at a time ({b / a:0.00}×); "
                      + $"working set {busy.Resources.WorkingSetStartBytes / 1048576.0:F0} → peak {busy.Resources.WorkingSetPeakBytes / 1048576.0:F0} MB under load";
        (b / a).ShouldBeLessThanOrEqualTo(factor, figures);
        return figures;
    }

    /// <summary>At most <paramref name="count"/> in <paramref name="outOf"/> of the last measurement's answers failed.</summary>
    public string ErrorRateShouldBeAtMost(int count, int outOf)
    {
        var share = FigureWording.Share(count, outOf);
        var rate = Last.ErrorRate.Value ?? throw NotMeasured("error rate: no request started", Last);
        var figures = $"{Last.Failed} of {Last.Started} answers failed ({rate:P1}) with {Last.Load.MaxConcurrency} at a time{(Last.ErrorsByKey.Count > 0 ? $": {string.Join(", ", Last.ErrorsByKey.Select(e => $"{e.Key} × {e.Value}"))}" : "")}";
        // Live, failures that are all the account's rate limits (or the live budget) say nothing of the provider under
        // load: the scenario is skipped with the limits seen, as every performance measurement the limits refuse is.
        if (rate > share && target.Kind == TargetKind.Live
            && Last.ErrorsByKey.Keys.All(key => key is Providers.Errors.ErrorKeys.RateLimited or Providers.Errors.ErrorKeys.BudgetExhausted))
            throw NotMeasured($"error rate: {figures}", Last);
        rate.ShouldBeLessThanOrEqualTo(share, figures);
        return figures;
    }

    private static string Connections(Measurement measurement) =>
        measurement.ConnectionsOpened is { } opened ? $"{opened} of {measurement.Result.Started}" : "not counted";

    private static string Signed(double ms) => (ms >= 0 ? "+" : "−") + FigureWording.Ms(Math.Abs(ms));

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

/// <summary>
/// How the measured client is set up. <see cref="Warm"/>: one client for the whole measurement, connections pooled and
/// the key looked up once (the usual case). <see cref="Cold"/>: a newly started client for every request — a new
/// connection and a new session. <see cref="KeyPerRequest"/>: pooled, but the key looked up (the credential chain
/// walked) and a session opened for every request, so the difference to <see cref="Warm"/> is the authentication overhead.
/// </summary>
public sealed record ClientSetup(ConnectionMode Connections, CredentialResolutionMode Credentials, string Label)
{
    public static readonly ClientSetup Warm = new(ConnectionMode.Pooled, CredentialResolutionMode.Once, "");
    public static readonly ClientSetup Cold = new(ConnectionMode.NewConnectionPerRequest, CredentialResolutionMode.Once, "cold client");
    public static readonly ClientSetup KeyPerRequest = new(ConnectionMode.Pooled, CredentialResolutionMode.PerRequest, "key per request");

    /// <summary>The features' words for a setup: "each from a newly started client", "looking up the key for every request".</summary>
    public static ClientSetup FromWords(string words) => words.Trim() switch
    {
        "each from a newly started client" => Cold,
        "looking up the key for every answer" or "looking up the key for every request" => KeyPerRequest,
        "from a warm client" or "" => Warm,
        _ => throw new FormatException($"'{words}' is not a client set-up the features name: write 'each from a newly started client' or 'looking up the key for every answer'."),
    };
}
