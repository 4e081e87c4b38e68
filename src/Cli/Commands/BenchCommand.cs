using System.Diagnostics;
using System.Globalization;
using System.Text;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.ProviderAdapter;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Benchmarking.SelfTest;
using ProviderSpecs.Benchmarking.Targets;
using ProviderSpecs.Cli.Support;
using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

/// <summary>
/// <c>bench</c>: benchmarks providers/models through the provider layer — on the simulated providers (in-process,
/// TimeScale 1.0, so the latency profiles are the ground truth) or, with <c>--live</c>, on the real APIs under an
/// explicit request budget — and writes the JSON, Markdown and SVG reports plus a side-by-side comparison.
/// Everything that can be wrong with the input is refused before any request is sent.
/// </summary>
public sealed class BenchCommand(CliContext context) : AsyncCommand<BenchSettings>
{
    /// <summary>Side-by-side comparison written next to the framework's reports.</summary>
    public const string ComparisonFileName = "provider-comparison.md";
    public const string SelfTestFileName = "self-test.md";

    /// <summary>One small chat model per provider, used when no --model is given.</summary>
    internal static readonly IReadOnlyDictionary<string, string> DefaultModels = new Dictionary<string, string>
    {
        ["groq"] = "llama-3.1-8b-instant",
        ["together_ai"] = "meta-llama/Meta-Llama-3-8B-Instruct-Lite",
    };

    public override async Task<int> ExecuteAsync(CommandContext commandContext, BenchSettings settings, CancellationToken cancellationToken)
    {
        if (context.RunInMeasuringProcess is { } runInMeasuringProcess && await runInMeasuringProcess(cancellationToken).ConfigureAwait(false) is { } childExitCode)
            return childExitCode;
        var outDir = settings.Out is { } o
            ? context.FullPath(o)
            : Path.Combine(RepoRoot.Require(context.WorkingDirectory, "reports/benchmarks"), "reports", "benchmarks");
        if (settings.SelfTest) return await SelfTestAsync(settings, outDir, cancellationToken).ConfigureAwait(false);

        var entries = Entries(settings);
        // A worker of a shared plan runs its share of the requests and of each rate, with its own seed; alone, the whole plan.
        var worker = settings.ResolveWorker(name => context.Environment.GetEnvironmentVariable(name));
        var points = settings.LoadPoints(worker);
        var perPoint = settings.RequestsPerPointFor(worker);
        int WarmupFor(LoadModel point) => settings.Warmup ?? point.MaxConcurrency;
        var maxConcurrency = points.Max(p => p.MaxConcurrency);

        SimulatedProviders? simulators = null;
        LiveBudget? budget = null;
        try
        {
            if (settings.Live)
            {
                var planned = (long)entries.Count * points.Sum(p => (long)WarmupFor(p) + perPoint!.Value);
                // Each worker spends at most its share of the budget, and the shares sum to --max-requests: never more than the whole.
                var share = WorkerShare.Split(settings.MaxRequests!.Value, worker.Count, worker.Index);
                if (planned > share)
                    throw new CliException(worker.Count == 1
                        ? $"the plan needs {planned} requests ({entries.Count} model(s) × {points.Count} load point(s) × (warm-up + {perPoint} measured)) but --max-requests is {settings.MaxRequests}; raise the budget or lower --requests/--warmup."
                        : $"worker {worker.Index} of {worker.Count} needs {planned} requests ({entries.Count} model(s) × {points.Count} load point(s) × (warm-up + its {perPoint} measured)) but its share of --max-requests {settings.MaxRequests} is {share}; raise the budget or lower --requests/--warmup.");
                var resolver = CredentialResolver.Standard(null, context.Environment);
                var credentials = entries.Select(e => e.Provider).Distinct().Select(resolver.Resolve).ToList();
                foreach (var credential in credentials) credential.RequireKey();
                // Only once every key resolves, so a refused run still prints exactly one line.
                foreach (var credential in credentials) Simulation.WriteCredentialWarnings(context, credential);
                foreach (var (provider, model) in entries)
                {
                    var known = ModelSnapshot.Default.ForProvider(provider.Id);
                    if (known.Count > 0 && known.All(m => !string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase)))
                        throw new CliException($"{provider.DisplayName} has no model '{model}' in the bundled catalog.{Names.DidYouMean(model, known.Select(m => m.Id))} List them with: providerspecs models {provider.Id}");
                }
                budget = LiveBudget.OfRequests(share);
            }
            else
            {
                foreach (var provider in entries.Select(e => e.Provider).Distinct()) Simulation.RequireSimulated(provider);
                simulators = await Simulation.StartAsync(context, entries.Select(e => e.Provider.Id), settings.TimeScale ?? 1.0, worker.Seed ?? settings.Seed).ConfigureAwait(false);
                foreach (var (provider, model) in entries)
                {
                    var ids = simulators[provider.Id].ModelIds;
                    if (!ids.Contains(model, StringComparer.Ordinal))
                        throw new CliException($"simulated {provider.DisplayName} has no model '{model}'.{Names.DidYouMean(model, ids)} List them with: providerspecs models {provider.Id} --simulated");
                }
            }

            var wall = Stopwatch.StartNew();
            var runs = new List<RunOutcome>();
            var interactive = !settings.Json && context.Console.Profile.Capabilities.Interactive;
            if (interactive)
            {
                await context.Console.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                    .StartAsync(async progress =>
                    {
                        foreach (var (provider, model) in entries)
                            foreach (var point in points)
                            {
                                var task = progress.AddTask(Markup.Escape($"{provider.Id}/{model} {point.Describe()}"),
                                    maxValue: perPoint is { } n ? WarmupFor(point) + n : 1);
                                if (perPoint is null) task.IsIndeterminate = true;
                                runs.Add(await RunPointAsync(settings, provider, model, point, WarmupFor(point), perPoint, maxConcurrency, simulators, budget,
                                    completed => task.Value = completed, cancellationToken).ConfigureAwait(false));
                                task.Value = task.MaxValue;
                                task.StopTask();
                            }
                    }).ConfigureAwait(false);
            }
            else
            {
                foreach (var (provider, model) in entries)
                    foreach (var point in points)
                    {
                        var run = await RunPointAsync(settings, provider, model, point, WarmupFor(point), perPoint, maxConcurrency, simulators, budget, null, cancellationToken).ConfigureAwait(false);
                        runs.Add(run);
                        if (!settings.Json)
                            context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                $"{provider.Id}/{model} {point.Describe()}: {run.Result.Succeeded}/{run.Result.Started} ok in {run.Result.ElapsedSeconds:0.00} s, TTFT p50 {run.Result.Ttft.Format(Percentile.P50)} ms")));
                    }
            }
            wall.Stop();

            var document = BuildDocument(settings, worker, entries, runs, points, budget, wall.Elapsed);
            var files = Write(document, runs, settings, budget, outDir);
            Summarise(settings, worker, runs, files, budget, wall.Elapsed, outDir);

            var failedRuns = runs.Where(r => r.Result.Started > 0 && r.Result.Succeeded == 0).ToList();
            if (failedRuns.Count > 0)
            {
                var f = failedRuns[0].Result;
                throw new CliException(
                    $"every measured request of {f.Provider}/{f.Model} ({f.Load.Description}) failed ({string.Join(", ", f.ErrorsByKey.Select(e => $"{e.Key} × {e.Value}"))}); the reports in {outDir} show the details.",
                    ExitCodes.Failed);
            }
            return ExitCodes.Ok;
        }
        finally
        {
            if (simulators is not null) await simulators.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static List<(ProviderDefinition Provider, string Model)> Entries(BenchSettings settings)
    {
        var providers = (settings.Providers.Length > 0 ? settings.Providers : ["groq", "together_ai"])
            .Select(p => ProviderRegistry.Default.Resolve(p)).ToList();
        string DefaultModel(ProviderDefinition p) => DefaultModels.TryGetValue(p.Id, out var m)
            ? m
            : throw new CliException($"{p.DisplayName} has no default benchmark model: give one with --provider {p.Id} --model <id> (see: providerspecs models {p.Id}).");
        if (settings.Models.Length == 0) return providers.Select(p => (p, DefaultModel(p))).ToList();
        if (providers.Count == 1) return settings.Models.Select(m => (providers[0], m.Trim())).ToList();
        return providers.Zip(settings.Models, (p, m) => (p, m.Trim())).ToList();
    }

    private async Task<RunOutcome> RunPointAsync(BenchSettings settings, ProviderDefinition provider, string model, LoadModel point, int warmup,
        int? requests, int maxConcurrency, SimulatedProviders? simulators, LiveBudget? budget, Action<double>? onProgress, CancellationToken cancellationToken)
    {
        SimulatorScope? scope = null;
        var environment = context.Environment;
        Uri? baseUrl = null;
        if (simulators is not null)
        {
            // A scope per run: its own key (found by the credential chain through the provider's variable, as an application's
            // would be) and its own request log, which holds the served timing of every request.
            var simulated = simulators[provider.Id];
            scope = simulated.OpenScope($"bench {model} {point.Describe()}");
            baseUrl = simulated.BaseUrl;
            var key = scope.ApiKey;
            var inner = context.Environment;
            environment = inner with
            {
                GetEnvironmentVariable = name => name == provider.KeyEnvVar ? key : name == provider.BaseUrlEnvVar ? null : inner.GetEnvironmentVariable(name),
            };
        }

        await using var target = new ProviderChatTarget(new ProviderChatTargetOptions
        {
            Provider = provider.Id,
            Model = model,
            BaseUrl = baseUrl,
            Environment = environment,
            MaxOutputTokens = settings.MaxTokens,
            Streaming = !settings.NonStreaming,
            CredentialResolution = settings.PerRequestCredentials ? CredentialResolutionMode.PerRequest : CredentialResolutionMode.Once,
            MaxConcurrency = maxConcurrency,
            Budget = budget,
            Prompt = settings.Prompt ?? "Write a short paragraph about measuring latency.",
        });

        using var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poller = onProgress is null ? Task.CompletedTask : PollAsync(target, onProgress, polling.Token);
        ScenarioResult result;
        try
        {
            result = await BenchmarkRunner.RunAsync(target, new BenchmarkRunOptions
            {
                Load = point,
                MaxRequests = requests,
                MaxDuration = settings.Duration is { } d ? TimeSpan.FromSeconds(d) : null,
                WarmupRequests = warmup,
                ConnectionMode = settings.Cold ? ConnectionMode.NewConnectionPerRequest : ConnectionMode.Pooled,
                ConnectionPort = target.BaseUrl.IsLoopback ? target.BaseUrl.Port : null,
                Name = Describe(settings),
                // For the interval log beside the results: what HdrHistogram tools read and `bench merge` adds.
                KeepHistograms = true,
                KeepRequests = settings.RequestLog,
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await polling.CancelAsync().ConfigureAwait(false);
            await poller.ConfigureAwait(false);
        }

        Distribution? served = null;
        if (scope is not null)
        {
            var histogram = new MetricHistogram();
            foreach (var r in scope.Requests.Where(r => r.Ordinal > warmup && r.StatusCode == 200 && r.Timing.FirstChunkDelay is not null))
                histogram.Record((long)Math.Round(r.Timing.FirstChunkDelay!.Value.TotalMicroseconds));
            served = histogram.ToDistribution("Served first chunk", "ms", "simulator: first content chunk written − request arrival (server-side Stopwatch)", 1000);
        }
        return new RunOutcome(result, target.CredentialTiming, served);
    }

    private static async Task PollAsync(ProviderChatTarget target, Action<double> onProgress, CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false)) onProgress(target.Completed);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Describe(BenchSettings s) =>
        $"{(s.NonStreaming ? "non-streaming" : "streaming")}, {(s.Cold ? "cold" : "warm")}, credentials {(s.PerRequestCredentials ? "per request" : "once")}, max tokens {s.MaxTokens}";

    private static BenchmarkDocument BuildDocument(BenchSettings settings, WorkerIdentity worker, List<(ProviderDefinition Provider, string Model)> entries,
        List<RunOutcome> runs, IReadOnlyList<LoadModel> points, LiveBudget? budget, TimeSpan wall)
    {
        var notes = new StringBuilder();
        if (worker.Count > 1)
            notes.Append(CultureInfo.InvariantCulture, $"Worker {worker.Index} of {worker.Count}{(worker.Label is { } label ? $" ({label})" : "")}: its share of the plan, seed {worker.Seed}. ");
        notes.Append(settings.Live ? "Live APIs (keys from the credential chain). " : string.Create(CultureInfo.InvariantCulture,
            $"Simulated providers in-process on 127.0.0.1, TimeScale {settings.TimeScale ?? 1.0:0.###}{((settings.TimeScale ?? 1.0) == 1.0 ? " (the latency profiles are the ground truth)" : " (profiles scaled: not comparable with the providers' published speeds)")}. "));
        notes.Append(Describe(settings)).Append(". ");
        if (budget is not null)
            notes.Append(CultureInfo.InvariantCulture, $"Live budget: {budget.RequestsSpent} of {budget.MaxRequests} requests spent{(worker.Count > 1 ? $" (this worker's share of --max-requests {settings.MaxRequests})" : "")}. ");
        notes.Append(CultureInfo.InvariantCulture, $"Wall time {wall.TotalSeconds:0.0} s.");
        if (points.Count > 1) notes.Append(" Sweep points are also listed as scenarios, for the comparison.");
        var sweeps = points.Count > 1
            ? runs.GroupBy(r => (r.Result.Provider, r.Result.Model))
                .Select(g => new SweepResult(g.Key.Provider, g.Key.Model, points[0] is OpenLoopLoad ? "rate" : "concurrency", g.Select(r => r.Result).ToList()))
                .ToList()
            : [];
        return new BenchmarkDocument
        {
            Metadata = RunMetadata.Capture(settings.Live ? "live" : "simulated", worker.Seed ?? settings.Seed, notes.ToString()) with { Worker = worker },
            Plan = settings.Plan(entries.Select(e => $"{e.Provider.Id}/{e.Model}")),
            Scenarios = runs.Select(r => r.Result).ToList(),
            Sweeps = sweeps,
        };
    }

    /// <summary>Writes every file into a staging folder first, then moves them into place: an interrupted write leaves the old reports intact.</summary>
    private static IReadOnlyList<string> Write(BenchmarkDocument document, List<RunOutcome> runs, BenchSettings settings, LiveBudget? budget, string outDir) =>
        WriteStaged(outDir, staging =>
        {
            var staged = BenchmarkReport.WriteAll(document, staging).ToList();
            var comparison = Path.Combine(staging, ComparisonFileName);
            File.WriteAllText(comparison, ComparisonMarkdown(runs, settings, budget));
            staged.Add(comparison);
            return staged;
        });

    /// <summary>Writes every file into a staging folder first, then moves them into place: an interrupted write leaves the old reports intact.</summary>
    internal static IReadOnlyList<string> WriteStaged(string outDir, Func<string, IReadOnlyList<string>> write)
    {
        var staging = Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(outDir)) ?? outDir, $".bench-staging-{Guid.NewGuid():N}");
        try
        {
            var staged = write(staging);
            Directory.CreateDirectory(outDir);
            var written = new List<string>();
            foreach (var file in staged)
            {
                var destination = Path.Combine(outDir, Path.GetFileName(file));
                File.Move(file, destination, overwrite: true);
                written.Add(destination);
            }
            return written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"could not write the reports to {outDir}: {e.Message}", ExitCodes.Failed);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static readonly (string Label, Func<RunOutcome, string> Value)[] ComparisonRows =
    [
        ("Requests (ok / started)", r => $"{r.Result.Succeeded} / {r.Result.Started}"),
        ("Not measured", r => r.Result.NotMeasuredReason() ?? "—"),
        ("Error rate", r => F(r.Result.ErrorRate.Value, "P1")),
        ("Throughput (req/s)", r => F(r.Result.RequestsPerSecond.Value, "0.0")),
        ("Output tokens/s (run)", r => F(r.Result.OutputTokensPerSecond.Value, "0")),
        ("TTFT p50 (ms)", r => Ms(r.Result.Ttft.P50)),
        ("TTFT p95 (ms)", r => Ms(r.Result.Ttft.P95)),
        ("TTFT p99 (ms)", r => Ms(r.Result.Ttft.P99)),
        ("Served first chunk p50 (ms, simulator truth)", r => r.Served is { } s ? Ms(s.P50) : "—"),
        ("|TTFT − served| p50 / p99 (ms, per request)", r => r.Result.TtftError.IsEmpty ? "— (the target says nothing of what it served)" : $"{Ms(r.Result.TtftError.P50)} / {Ms(r.Result.TtftError.P99)}"),
        ("TPOT p50 (ms)", r => Ms(r.Result.Tpot.P50)),
        ("ITL p50 (ms)", r => Ms(r.Result.InterTokenLatency.P50)),
        ("E2E p50 (ms)", r => Ms(r.Result.EndToEnd.P50)),
        ("E2E p95 (ms)", r => Ms(r.Result.EndToEnd.P95)),
        ("Output tok/s per request p50", r => Ms(r.Result.OutputTokensPerSecondPerRequest.P50)),
        ("Provider queue time p50 (ms)", r => Ms(r.Result.QueueTime.P50)),
        ("Attempts mean", r => Ms(r.Result.Attempts.Mean)),
        ("429 responses", r => r.Result.RateLimitedResponses.ToString(CultureInfo.InvariantCulture)),
        ("Credential resolution mean (µs)", r => r.Credentials.Resolutions == 0 ? "—" : r.Credentials.Mean.TotalMicroseconds.ToString("0.0", CultureInfo.InvariantCulture)),
        ("Allocated per request (KB)", r => (r.Result.Resources.AllocatedBytesPerRequest / 1024).ToString("0.0", CultureInfo.InvariantCulture)),
    ];

    internal static string ComparisonMarkdown(IReadOnlyList<RunOutcome> runs, BenchSettings settings, LiveBudget? budget)
    {
        var md = new StringBuilder();
        md.AppendLine("# Provider comparison").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Target: {(settings.Live ? "live APIs" : "simulated providers")}; {Describe(settings)}.");
        if (budget is not null) md.AppendLine(CultureInfo.InvariantCulture, $"Live budget: {budget.RequestsSpent} of {budget.MaxRequests} requests spent.");
        md.AppendLine("Definitions: TTFT llmperf/vLLM (request start → first content chunk); TPOT vLLM; ITL vLLM (pooled chunk gaps); E2E request start → last byte; throughput over measured wall time. See benchmark-report.md.").AppendLine();
        foreach (var level in runs.GroupBy(r => r.Result.Load.Description))
        {
            var columns = level.ToList();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {level.Key}").AppendLine();
            md.AppendLine("| Metric | " + string.Join(" | ", columns.Select(c => $"{c.Result.Provider} / {c.Result.Model}")) + " |");
            md.AppendLine("|---|" + string.Concat(columns.Select(_ => "---:|")));
            foreach (var (label, value) in ComparisonRows)
                md.AppendLine($"| {label} | " + string.Join(" | ", columns.Select(value)) + " |");
            md.AppendLine();
        }
        return md.ToString();
    }

    private void Summarise(BenchSettings settings, WorkerIdentity worker, List<RunOutcome> runs, IReadOnlyList<string> files, LiveBudget? budget, TimeSpan wall, string outDir)
    {
        if (settings.Json)
        {
            context.WriteJson(new
            {
                target = settings.Live ? "live" : "simulated",
                worker = new { index = worker.Index, count = worker.Count, label = worker.Label, seed = worker.Seed },
                outputDirectory = outDir,
                files,
                wallSeconds = Math.Round(wall.TotalSeconds, 3),
                budget = budget is null ? null : new { maxRequests = budget.MaxRequests, spent = budget.RequestsSpent, refused = budget.Refused },
                scenarios = runs.Select(r => new
                {
                    provider = r.Result.Provider,
                    model = r.Result.Model,
                    load = r.Result.Load.Description,
                    level = r.Result.Load.Level,
                    connectionMode = r.Result.ConnectionMode,
                    started = r.Result.Started,
                    succeeded = r.Result.Succeeded,
                    notMeasured = r.Result.NotMeasuredReason(),
                    failed = r.Result.Failed,
                    errorsByKey = r.Result.ErrorsByKey,
                    elapsedSeconds = r.Result.ElapsedSeconds,
                    requestsPerSecond = r.Result.RequestsPerSecond.Value,
                    outputTokensPerSecond = r.Result.OutputTokensPerSecond.Value,
                    ttftMs = new { p50 = r.Result.Ttft.P50, p95 = r.Result.Ttft.P95, p99 = r.Result.Ttft.P99, min = r.Result.Ttft.Min },
                    servedFirstChunkMs = r.Served is { Count: > 0 } s ? new { p50 = s.P50, p95 = s.P95, p99 = s.P99, min = s.Min } : null,
                    tpotMsP50 = r.Result.Tpot.P50,
                    e2eMs = new { p50 = r.Result.EndToEnd.P50, p95 = r.Result.EndToEnd.P95 },
                    credentialResolution = new { mode = r.Credentials.Mode, count = r.Credentials.Resolutions, meanMicroseconds = r.Credentials.Mean.TotalMicroseconds },
                }),
            });
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Provider / model", "Load", "OK", "req/s", "tok/s", "TTFT p50", "TTFT p95", "TTFT p99", "served p50", "TPOT p50", "E2E p95");
        foreach (var r in runs)
        {
            var s = r.Result;
            table.AddRow(Markup.Escape($"{s.Provider} / {s.Model}"), Markup.Escape(s.Load.Description), $"{s.Succeeded}/{s.Started}",
                F(s.RequestsPerSecond.Value, "0.0"), F(s.OutputTokensPerSecond.Value, "0"), Ms(s.Ttft.P50), Ms(s.Ttft.P95), Ms(s.Ttft.P99),
                r.Served is { } sv ? Ms(sv.P50) : "—", Ms(s.Tpot.P50), Ms(s.EndToEnd.P95));
        }
        context.Console.Write(table);
        foreach (var r in runs.Where(r => r.Result.NotMeasuredReason() is not null))
            context.Console.MarkupLine(Markup.Escape($"— {r.Result.Provider} / {r.Result.Model} ({r.Result.Load.Description}): {r.Result.NotMeasuredReason()}"));
        foreach (var r in runs)
            foreach (var warning in new[] { MarkdownReport.ClientBoundWarning(r.Result.Resources), MarkdownReport.LateSendWarning(r.Result) }.OfType<string>())
                context.Console.MarkupLine("[yellow]" + Markup.Escape($"⚠ {r.Result.Provider} / {r.Result.Model} ({r.Result.Load.Description}): {warning}") + "[/]");
        context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Latencies in ms. {runs.Sum(r => r.Result.Started)} measured requests in {wall.TotalSeconds:0.0} s wall time{(budget is null ? "" : $"; live budget {budget.RequestsSpent}/{budget.MaxRequests} spent")}.")));
        if (worker.Count > 1)
            context.Console.MarkupLine(Markup.Escape($"Worker {worker.Index} of {worker.Count}{(worker.Label is { } label ? $" ({label})" : "")}, seed {worker.Seed}: its share of the plan. Merge every worker's output with: providerspecs bench merge DIR…"));
        context.Console.MarkupLine($"Wrote {files.Count} files to {Markup.Escape(outDir)}:");
        foreach (var file in files) context.Console.MarkupLine($"  {Markup.Escape(Path.GetFileName(file))}");
    }

    private async Task<int> SelfTestAsync(BenchSettings settings, string outDir, CancellationToken cancellationToken)
    {
        var options = settings.Quick
            ? new SelfTestOptions
            {
                Concurrencies = [1, 16], AccuracyDurationPerLevel = TimeSpan.FromSeconds(0.5), CapacityDuration = TimeSpan.FromSeconds(0.5),
                CapacityConcurrency = 16, ReferenceConcurrency = 16, WrkDuration = TimeSpan.FromSeconds(1), MemoryStreams = 64,
                WarmupDuration = TimeSpan.FromSeconds(0.3), ProviderLayerWarmup = TimeSpan.FromSeconds(0.3),
            }
            : new SelfTestOptions();
        if (settings.ConcurrencyLevels.Count > 0) options = options with { Concurrencies = settings.ConcurrencyLevels };
        if (settings.Duration is { } d) options = options with { AccuracyDurationPerLevel = TimeSpan.FromSeconds(d) };
        options = options with { TargetCommand = context.SelfTestTargetCommand };

        SelfTestResult result;
        if (!settings.Json && context.Console.Profile.Capabilities.Interactive)
            result = await context.Console.Status().StartAsync("Harness self-test: timing accuracy, capacity, memory…",
                _ => SelfTestRunner.RunAsync(options, cancellationToken)).ConfigureAwait(false);
        else
            result = await SelfTestRunner.RunAsync(options, cancellationToken).ConfigureAwait(false);

        var markdown = result.ToMarkdown();
        string path;
        try
        {
            Directory.CreateDirectory(outDir);
            path = Path.Combine(outDir, SelfTestFileName);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, markdown);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"could not write {SelfTestFileName} to {outDir}: {e.Message}", ExitCodes.Failed);
        }

        if (settings.Json)
        {
            context.WriteJson(new
            {
                file = path,
                elapsedSeconds = result.ElapsedSeconds,
                requestsPerSecond = result.RequestsPerSecond,
                streamsPerSecond = result.StreamsPerSecond,
                plainClientRequestsPerSecond = result.PlainClientRequestsPerSecond,
                wrkRequestsPerSecond = result.WrkRequestsPerSecond,
                ratioToWrk = result.RatioToWrk,
                wrkNote = result.WrkNote,
                accuracy = result.Accuracy.Select(a => new { a.Path, a.Concurrency, a.Streams, ttftErrorMsP50 = a.TtftError.P50, ttftErrorMsP99 = a.TtftError.P99, gapErrorMsP99 = a.InterTokenGapError.P99, cpuMicrosecondsPerChunk = a.CpuMicrosecondsPerChunk, allocatedBytesPerChunk = a.AllocatedBytesPerChunk,
                    targetCpuMicrosecondsPerChunk = a.TargetCpuMicrosecondsPerChunk, machineBusy = a.MachineBusy, gcPauseMillisecondsPerSecond = a.GcPauseMillisecondsPerSecond,
                    offeredChunksPerSecond = a.OfferedChunksPerSecond, processorsNeeded = a.ProcessorsNeeded }),
                plainClientAccuracy = result.PlainClientAccuracy is { } plain
                    ? new { plain.Concurrency, plain.Streams, ttftErrorMsP50 = plain.TtftError.P50, ttftErrorMsP99 = plain.TtftError.P99 }
                    : null,
                targetInChildProcess = result.TargetInChildProcess,
                inlineSocketCompletions = result.InlineCompletions,
                memory = result.Memory,
            });
        }
        else
        {
            context.Out.WriteLine(markdown);
            context.Console.MarkupLine($"Wrote {Markup.Escape(path)}");
        }
        return ExitCodes.Ok;
    }

    // Not measured (no successful request) is "—", never 0.
    private static string Ms(double? value) => value is not { } v ? "—" : F(v, v >= 100 ? "0" : "0.0");

    private static string F(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "—";

    internal sealed record RunOutcome(ScenarioResult Result, CredentialTiming Credentials, Distribution? Served);
}
