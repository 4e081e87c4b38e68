using System.ComponentModel;
using System.Globalization;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Cli.Support;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

/// <summary>The options of <c>bench</c> (the default command of the bench branch; <c>bench merge</c> has its own).</summary>
public class BenchSettings : BenchBranchSettings
{
    [CommandOption("--provider <ID>")]
    [Description("Provider to benchmark (repeatable). Default: groq and together_ai.")]
    public string[] Providers { get; init; } = [];

    [CommandOption("--model <ID>")]
    [Description("Model to benchmark (repeatable): one per --provider, or several for a single --provider. Default: one small model per provider.")]
    public string[] Models { get; init; } = [];

    [CommandOption("--concurrency <LIST>")]
    [Description("Closed-loop concurrency, one value or a list to sweep (e.g. 1,8,32); with --rate, the cap on requests in flight. Default 16 (64 with --rate).")]
    public string? Concurrency { get; init; }

    [CommandOption("--requests <N>")]
    [Description("Measured requests per load point. Default 200 (live: required or 200).")]
    public int? Requests { get; init; }

    [CommandOption("--duration <SECONDS>")]
    [Description("Stop starting measured requests after this many seconds (with or instead of --requests).")]
    public double? Duration { get; init; }

    [CommandOption("--rate <LIST>")]
    [Description("Open loop: arrival rate in requests/s, one value or a list to sweep (e.g. 5,10,20).")]
    public string? Rate { get; init; }

    [CommandOption("--arrival <PROCESS>")]
    [Description("Arrival process for --rate: constant or poisson (default poisson).")]
    public string? Arrival { get; init; }

    [CommandOption("--warmup <N>")]
    [Description("Warm-up requests before measuring (excluded from results). Default: one per concurrency slot.")]
    public int? Warmup { get; init; }

    [CommandOption("--cold")]
    [Description("A new connection (HttpClient, session, chat client) for every request: the cold-start cost.")]
    public bool Cold { get; init; }

    [CommandOption("--non-streaming")]
    [Description("Non-streaming calls (TTFT is then the whole reply) instead of streamed replies.")]
    public bool NonStreaming { get; init; }

    [CommandOption("--per-request-credentials")]
    [Description("Resolve the credential chain (and build the session) for every request: measures authentication overhead.")]
    public bool PerRequestCredentials { get; init; }

    [CommandOption("--max-tokens <N>")]
    [Description("Output token limit per request.")]
    [DefaultValue(64)]
    public int MaxTokens { get; init; } = 64;

    [CommandOption("--prompt <TEXT>")]
    [Description("The prompt every request sends.")]
    public string? Prompt { get; init; }

    [CommandOption("--live")]
    [Description("Benchmark the live APIs (keys from the credential chain). Requires --max-requests.")]
    public bool Live { get; init; }

    [CommandOption("--max-requests <N>")]
    [Description("Live budget: the most requests (warm-up included) the run may send; the run is refused if its plan needs more.")]
    public int? MaxRequests { get; init; }

    [CommandOption("--time-scale <FACTOR>")]
    [Description("Simulated only: multiplies the latency profiles. 1.0 (default) keeps them as the ground truth.")]
    public double? TimeScale { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the simulators and of Poisson arrivals.")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("--out <DIR>")]
    [Description("Output folder. Default: reports/benchmarks under the repository root (the folder with Specs.sln).")]
    public string? Out { get; init; }

    [CommandOption("--request-log")]
    [Description("Also write benchmark-requests.jsonl: one line per measured request (start, status or error, TTFT, end-to-end, tokens, every chunk's arrival, attempts, 429s) to recompute or cut the figures yourself.")]
    public bool RequestLog { get; init; }

    [CommandOption("--json")]
    [Description("Print a JSON summary (files written, key figures) instead of tables and progress.")]
    public bool Json { get; init; }

    [CommandOption("--self-test")]
    [Description("Run the harness self-test (timing accuracy against served truth, capacity vs wrk, memory) and write self-test.md.")]
    public bool SelfTest { get; init; }

    [CommandOption("--quick")]
    [Description("With --self-test: short durations and fewer streams (a smoke run, not reference figures).")]
    public bool Quick { get; init; }

    [CommandOption("--workers <N>")]
    [Description("Share the plan among N workers (machines or regions, e.g. a Kubernetes Indexed Job): this run does its worker's share of --requests, --rate and --max-requests, with seed --seed + its index. Merge the workers' outputs with: bench merge DIR…")]
    public int? Workers { get; init; }

    [CommandOption("--worker-index <I>")]
    [Description("With --workers: this worker's index, 0 to N−1. Default: JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job) plus --index-offset.")]
    public int? WorkerIndex { get; init; }

    [CommandOption("--index-offset <K>")]
    [Description("With --workers and JOB_COMPLETION_INDEX: added to it, so one Indexed Job per region can run its own range of the workers (default 0).")]
    public int? IndexOffset { get; init; }

    [CommandOption("--label <TEXT>")]
    [Description("This run's label in merged reports, e.g. its region (eu-west-1).")]
    public string? Label { get; init; }

    internal IReadOnlyList<int> ConcurrencyLevels { get; private set; } = [];
    internal IReadOnlyList<double> Rates { get; private set; } = [];
    internal ArrivalProcess ArrivalProcess { get; private set; } = ArrivalProcess.Poisson;

    public override ValidationResult Validate()
    {
        try
        {
            Check();
            return ValidationResult.Success();
        }
        catch (CliException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }

    private void Check()
    {
        if (Requests is < 1) throw new CliException($"--requests must be a whole number of at least 1, e.g. 200 (got {Requests}).");
        if (Duration is { } d && (!double.IsFinite(d) || d <= 0))
            throw new CliException($"--duration must be a positive number of seconds, e.g. 10 (got {d.ToString(CultureInfo.InvariantCulture)}).");
        if (Warmup is < 1) throw new CliException($"--warmup must be a whole number of at least 1, e.g. 8 (got {Warmup}); warm-up is part of every run.");
        if (MaxTokens < 1) throw new CliException($"--max-tokens must be a whole number of at least 1, e.g. 64 (got {MaxTokens}).");
        if (MaxRequests is < 1) throw new CliException($"--max-requests must be a whole number of at least 1, e.g. 100 (got {MaxRequests}).");
        if (TimeScale is { } scale && (!double.IsFinite(scale) || scale < 0))
            throw new CliException($"--time-scale must be a number of at least 0, e.g. 1 (got {scale.ToString(CultureInfo.InvariantCulture)}).");
        if (Concurrency is not null) ConcurrencyLevels = NumberLists.PositiveInts(Concurrency, "--concurrency", "1,8,32 or 16");
        if (Rate is not null) Rates = NumberLists.PositiveDoubles(Rate, "--rate", "10 or 5,10,20 (requests per second)");
        if (Arrival is not null)
        {
            if (Rate is null) throw new CliException("--arrival applies to open-loop runs: give --rate too, e.g. --rate 10 --arrival poisson.");
            ArrivalProcess = Arrival.Trim().ToLowerInvariant() switch
            {
                "constant" => ArrivalProcess.Constant,
                "poisson" => ArrivalProcess.Poisson,
                _ => throw new CliException($"--arrival must be constant or poisson (got '{Arrival}')."),
            };
        }
        if (Rates.Count > 0 && ConcurrencyLevels.Count > 1)
            throw new CliException("sweep either --concurrency or --rate, not both: with --rate, --concurrency is the single cap on requests in flight (e.g. 64).");
        if (SelfTest && (Live || Providers.Length > 0 || Models.Length > 0 || Rate is not null))
            throw new CliException("--self-test measures the harness against its own loopback targets: drop --live, --provider, --model and --rate.");
        if (Quick && !SelfTest) throw new CliException("--quick applies to --self-test only.");
        if (RequestLog && SelfTest) throw new CliException("--request-log applies to benchmark runs: drop it with --self-test, whose report gives the figures of its own targets.");
        if (Live)
        {
            if (TimeScale is not null) throw new CliException("--time-scale applies to the simulated providers only; drop it with --live.");
            if (MaxRequests is null)
                throw new CliException("a live run needs an explicit budget: add --max-requests N (warm-up included), e.g. --requests 20 --max-requests 30.");
        }
        CheckWorkers();
        if (Models.Length > 0 && Providers.Length > 1 && Models.Length != Providers.Length)
            throw new CliException($"give one --model per --provider (got {Providers.Length} providers, {Models.Length} models), or one --provider with several --model.");
        if (Models.Length > 0 && Providers.Length == 0)
            throw new CliException("--model needs its --provider, e.g. --provider groq --model llama-3.1-8b-instant.");
    }

    private void CheckWorkers()
    {
        if (Workers is null)
        {
            if (WorkerIndex is not null) throw new CliException("--worker-index needs --workers N: give how many workers share the plan, e.g. --workers 4 --worker-index 0.");
            if (IndexOffset is not null) throw new CliException("--index-offset needs --workers N, e.g. --workers 8 --index-offset 4.");
        }
        if (Label is { } label && (label.Length is 0 or > 64 || label.Any(char.IsControl) || string.IsNullOrWhiteSpace(label)))
            throw new CliException("--label must be 1 to 64 printable characters, e.g. --label eu-west-1.");
        if (Workers is not { } workers) return;
        if (workers < 1) throw new CliException($"--workers must be a whole number of at least 1, e.g. 4 (got {workers}).");
        if (SelfTest) throw new CliException("--self-test measures this machine's harness: drop --workers.");
        if (WorkerIndex is { } index && (index < 0 || index >= workers))
            throw new CliException($"--worker-index must be from 0 to {workers - 1} with --workers {workers} (got {index}).");
        if (IndexOffset is < 0) throw new CliException($"--index-offset must be a whole number of at least 0 (got {IndexOffset}).");
        if (RequestsPerPoint is { } requests && requests < workers)
            throw new CliException($"--requests {requests} cannot be shared by {workers} workers: each needs at least one request per load point; give --requests {workers} or more.");
        foreach (var rate in workers > 1 ? Rates : [])
        {
            double smallest;
            try
            {
                smallest = WorkerShare.SplitRate(rate, workers, workers - 1);
            }
            catch (ArgumentException)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--rate {rate} cannot be shared exactly by {workers} workers: give rates with at most 3 decimals (the shares are thousandths of a request per second)."));
            }
            if (smallest <= 0)
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--rate {rate} cannot be shared by {workers} workers: each needs at least {WorkerShare.RateResolution} req/s; give a rate of {workers * WorkerShare.RateResolution:0.###} or more."));
        }
    }

    /// <summary>
    /// Which worker this run is: (0 of 1) without --workers; else --worker-index, or JOB_COMPLETION_INDEX (a Kubernetes Indexed
    /// Job's) plus --index-offset. Throws a <see cref="CliException"/> when neither says, or the index is out of range.
    /// </summary>
    internal WorkerIdentity ResolveWorker(Func<string, string?> getVariable)
    {
        if (Workers is not { } workers) return new WorkerIdentity(0, 1, Label, Seed);
        int index;
        if (WorkerIndex is { } given) index = given;
        else if (getVariable(JobCompletionIndexVariable) is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fromJob))
                throw new CliException($"{JobCompletionIndexVariable}='{text}' is not a worker index (a whole number from 0): give --worker-index instead.");
            index = fromJob + (IndexOffset ?? 0);
        }
        else
            throw new CliException($"--workers {workers} needs this worker's index: give --worker-index I (0 to {workers - 1}), or run it as a Kubernetes Indexed Job, which sets {JobCompletionIndexVariable}.");
        if (index < 0 || index >= workers)
            throw new CliException($"this worker's index {index} ({(WorkerIndex is null ? $"{JobCompletionIndexVariable} + --index-offset {IndexOffset ?? 0}" : "--worker-index")}) is not one of the {workers} workers (0 to {workers - 1}).");
        return new WorkerIdentity(index, workers, Label, WorkerShare.Seed(Seed, index));
    }

    /// <summary>The variable a Kubernetes Indexed Job sets to each pod's completion index.</summary>
    public const string JobCompletionIndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>The plan's load points (rates in total, seed of the family).</summary>
    internal IReadOnlyList<LoadModel> LoadPoints() => LoadPoints(new WorkerIdentity(0, 1, null, Seed));

    /// <summary>A worker's load points: its share of each rate, its own seed (the concurrency is every worker's own).</summary>
    internal IReadOnlyList<LoadModel> LoadPoints(WorkerIdentity worker) =>
        Rates.Count > 0
            ? LoadSweep.Rates(ArrivalProcess, ConcurrencyLevels.Count > 0 ? ConcurrencyLevels[0] : 64, worker.Seed ?? Seed,
                [.. Rates.Select(r => worker.Count == 1 ? r : WorkerShare.SplitRate(r, worker.Count, worker.Index))])
            : LoadSweep.Concurrency([.. ConcurrencyLevels.Count > 0 ? ConcurrencyLevels : [16]]);

    /// <summary>Measured requests per load point in the whole plan: --requests, else 200 unless only --duration bounds the run (simulated).</summary>
    internal int? RequestsPerPoint => Requests ?? (Duration is not null && !Live ? null : 200);

    /// <summary>A worker's measured requests per load point: its share of <see cref="RequestsPerPoint"/>.</summary>
    internal int? RequestsPerPointFor(WorkerIdentity worker) =>
        RequestsPerPoint is { } total ? (int)WorkerShare.Split(total, worker.Count, worker.Index) : null;

    /// <summary>
    /// What defines the plan, by option: equal for every worker of one plan (so --worker-index, --label and --out are not
    /// in it), totals rather than shares. A merge compares these and names the first that differs.
    /// </summary>
    internal BenchmarkPlan Plan(IEnumerable<string> entries)
    {
        static string On(bool value) => value ? "on" : "off";
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["--live"] = On(Live),
            ["--provider/--model"] = string.Join(", ", entries),
            ["--concurrency"] = string.Join(",", ConcurrencyLevels.Count > 0 ? ConcurrencyLevels : [Rates.Count > 0 ? 64 : 16]),
            ["--rate"] = Rates.Count > 0 ? string.Join(",", Rates.Select(r => r.ToString(CultureInfo.InvariantCulture))) : "none",
            ["--arrival"] = Rates.Count > 0 ? ArrivalProcess.ToString().ToLowerInvariant() : "none",
            ["--requests"] = RequestsPerPoint?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["--duration"] = Duration?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["--warmup"] = Warmup?.ToString(CultureInfo.InvariantCulture) ?? "one per slot",
            ["--cold"] = On(Cold),
            ["--non-streaming"] = On(NonStreaming),
            ["--per-request-credentials"] = On(PerRequestCredentials),
            ["--max-tokens"] = MaxTokens.ToString(CultureInfo.InvariantCulture),
            ["--prompt"] = Prompt ?? "(default)",
            ["--time-scale"] = Live ? "none" : (TimeScale ?? 1.0).ToString(CultureInfo.InvariantCulture),
            ["--max-requests"] = MaxRequests?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["--request-log"] = On(RequestLog),
        };
        return new BenchmarkPlan { Workers = Workers ?? 1, SeedFamily = Seed, Settings = settings };
    }
}
