using System.ComponentModel;
using System.Globalization;
using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Cli.Support;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

public sealed class BenchSettings : CommandSettings
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

    [CommandOption("--json")]
    [Description("Print a JSON summary (files written, key figures) instead of tables and progress.")]
    public bool Json { get; init; }

    [CommandOption("--self-test")]
    [Description("Run the harness self-test (timing accuracy against served truth, capacity vs wrk, memory) and write self-test.md.")]
    public bool SelfTest { get; init; }

    [CommandOption("--quick")]
    [Description("With --self-test: short durations and fewer streams (a smoke run, not reference figures).")]
    public bool Quick { get; init; }

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
        if (Live)
        {
            if (TimeScale is not null) throw new CliException("--time-scale applies to the simulated providers only; drop it with --live.");
            if (MaxRequests is null)
                throw new CliException("a live run needs an explicit budget: add --max-requests N (warm-up included), e.g. --requests 20 --max-requests 30.");
        }
        if (Models.Length > 0 && Providers.Length > 1 && Models.Length != Providers.Length)
            throw new CliException($"give one --model per --provider (got {Providers.Length} providers, {Models.Length} models), or one --provider with several --model.");
        if (Models.Length > 0 && Providers.Length == 0)
            throw new CliException("--model needs its --provider, e.g. --provider groq --model llama-3.1-8b-instant.");
    }

    internal IReadOnlyList<LoadModel> LoadPoints() =>
        Rates.Count > 0
            ? LoadSweep.Rates(ArrivalProcess, ConcurrencyLevels.Count > 0 ? ConcurrencyLevels[0] : 64, Seed, [.. Rates])
            : LoadSweep.Concurrency([.. ConcurrencyLevels.Count > 0 ? ConcurrencyLevels : [16]]);

    /// <summary>Measured requests per load point: --requests, else 200 unless only --duration bounds the run (simulated).</summary>
    internal int? RequestsPerPoint => Requests ?? (Duration is not null && !Live ? null : 200);
}
