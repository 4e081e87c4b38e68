using System.Reflection;
using ProviderSpecs.Cli.Commands;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Errors;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli;

/// <summary>The <c>providerspecs</c> command line: builds the Spectre.Console.Cli app and turns every failure into one line and an exit code.</summary>
public static partial class CliApp
{
    /// <summary>The version this program was built as (its package version, without the commit suffix).</summary>
    public static string Version { get; } =
        (typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    public static CommandApp Create(CliContext context, IReadOnlyList<string>? args = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("providerspecs");
            // `providerspecs --version` prints the package version (the same for the tool and every library package).
            config.SetApplicationVersion(Version);
            config.ConfigureConsole(context.Console);
            config.Settings.Registrar.RegisterInstance(context);
            config.SetExceptionHandler((exception, _) => Report(context, exception, args ?? []));

            config.AddCommand<ProvidersCommand>("providers")
                .WithDescription("List the provider registry: id, name, base URL, key variable, and whether a key resolves (masked) and from where.")
                .WithExample("providers").WithExample("providers", "--json").WithExample("providers", "--explain");
            config.AddCommand<ModelsCommand>("models")
                .WithDescription("List a provider's models (live GET /models, else the bundled snapshot) with catalog filters.")
                .WithExample("models", "groq", "--simulated").WithExample("models", "together", "--kind", "chat", "--min-context", "100000", "--max-price", "1")
                .WithExample("models", "groq", "--capability", "json-schema", "--json");
            config.AddCommand<ChatCommand>("chat")
                .WithDescription("Send one chat completion through the provider layer (optionally streamed).")
                .WithExample("chat", "groq", "llama-3.1-8b-instant", "\"Say hello\"", "--simulated", "--stream")
                .WithExample("chat", "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "\"Hi\"", "--max-tokens", "50", "--json");
            config.AddCommand<SimulateCommand>("simulate")
                .WithDescription(Spectre.Console.Markup.Escape(SimulateCommand.HelpDescription()))
                .WithExample("simulate").WithExample("simulate", "--groq-port", "5301", "--together-port", "5302", "--log-requests")
                .WithExample("simulate", "--fault", "groq:rate-limit-sequence,count=2,retry-after=1.5", "--fault", "together_ai:overloaded,count=1")
                .WithExample("simulate", "--fault", "groq/llama-3.1-8b-instant:server-error,count=3")
                .WithExample("simulate", "--limits", "free-plan")
                .WithExample("simulate", "--groq-rpm", "5", "--together-rps", "3", "--time-scale", "0");
            // A branch, so that `bench merge DIR…` is a sub-command of bench; `bench [OPTIONS]` runs the default command.
            config.AddBranch<BenchBranchSettings>("bench", bench =>
            {
                bench.SetDescription("Benchmark providers/models (simulated by default, --live with keys and --max-requests); writes JSON, Markdown, SVG reports and the histograms' interval log (and with --request-log every request's record). `bench merge` combines the outputs of several workers exactly.");
                bench.SetDefaultCommand<BenchCommand>();
                bench.AddExample("bench");
                bench.AddExample("bench", "--provider", "groq", "--model", "llama-3.1-8b-instant", "--requests", "200", "--concurrency", "1,8,32");
                bench.AddExample("bench", "--rate", "20", "--arrival", "poisson", "--duration", "10");
                bench.AddExample("bench", "--provider", "groq", "--requests", "100", "--request-log");
                bench.AddExample("bench", "--live", "--provider", "groq", "--requests", "20", "--max-requests", "30");
                bench.AddExample("bench", "--live", "--workers", "4", "--worker-index", "0", "--label", "eu-west-1", "--requests", "400", "--max-requests", "480", "--out", "results/worker-0");
                bench.AddExample("bench", "--self-test");
                bench.AddCommand<BenchMergeCommand>("merge")
                    .WithDescription("Merge the outputs of the workers of one plan (bench --workers N): checks they ran the same plan, adds their histograms exactly, writes one result (JSON, Markdown, SVG, interval log, and the workers' request logs together when they wrote them) with a per-worker breakdown. Options: --out DIR (default reports/benchmarks), --json.")
                    .WithExample("bench", "merge", "results/worker-0", "results/worker-1", "results/worker-2", "results/worker-3", "--out", "reports/benchmarks")
                    .WithExample("bench", "merge", "results", "--json");
            });
            config.AddCommand<BenchTargetCommand>("bench-target")
                .WithDescription("Serve the self-test's loopback target until standard input ends (started by bench --self-test).")
                .IsHidden();
            config.AddCommand<ScanSecretsCommand>("scan-secrets")
                .WithDescription("Scan files and folders for canary keys (--key-from-env) and key-shaped strings; findings masked. Exit 0 clean, 1 found, 2 bad input.")
                .WithExample("scan-secrets", "reports", "fixtures", "--key-from-env", "GROQ_API_KEY", "--key-from-env", "TOGETHER_API_KEY")
                .WithExample("scan-secrets", "console.log", "--json");
            config.AddCommand<LivingDocCommand>("livingdoc")
                .WithDescription("Write reports/living-doc.html from the features, run results, benchmark reports and catalog.")
                .WithExample("livingdoc").WithExample("livingdoc", "--runs", "reports/specs.ndjson", "--out", "reports/living-doc.html");
        });
        return app;
    }

    public static Task<int> RunAsync(IEnumerable<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        var list = args.ToList();
        return Create(context, list).RunAsync(list, cancellationToken);
    }

    /// <summary>Writes the one-line reason of a failure to the error stream and returns the exit code.</summary>
    internal static int Report(CliContext context, Exception exception, IReadOnlyList<string> args)
    {
        var (message, code) = Describe(exception);
        if (exception is CommandAppException && ConversionFailure().Match(exception.Message) is { Success: true } failure)
            message = ExplainConversion(failure.Groups[1].Value, args);
        context.Error.WriteLine("error: " + OneLine(message));
        context.Error.Flush();
        return code;
    }

    internal static (string Message, int ExitCode) Describe(Exception exception) => exception switch
    {
        CliException e => (e.Message, e.ExitCode),
        UnknownProviderException e => (e.Message, ExitCodes.BadInput),
        MissingCredentialException e => (MissingKey(e), ExitCodes.BadInput),
        ProviderException e => ($"[{e.ErrorKey}] {e.Message}{(e.HttpStatus is { } s ? $" (HTTP {s})" : "")}", ExitCodes.Failed),
        OperationCanceledException => ("cancelled; nothing was written.", ExitCodes.Cancelled),
        CommandAppException e => ($"{e.Message} Run with --help to see the arguments and options.", ExitCodes.BadInput),
        _ => ($"unexpected {exception.GetType().Name}: {exception.Message}", ExitCodes.Failed),
    };

    internal static string MissingKey(MissingCredentialException e) =>
        $"no API key for {e.ProviderId}: set the environment variable {e.EnvironmentVariable} "
        + $"(or put {e.EnvironmentVariable}=… in ./.env, or \"{e.ProviderId}\": \"…\" in ~/.config/providerspecs/credentials.json)."
        + string.Concat(e.Chain.Where(s => s.Outcome == CredentialOutcome.Unreadable).Select(s => $" Note: {s.Location} could not be read{(s.Detail is null ? "" : $" ({s.Detail})")}; fix or remove it."));

    /// <summary>What each numeric option expects, for "could not convert" errors.</summary>
    private static readonly Dictionary<string, string> NumericHints = new(StringComparer.Ordinal)
    {
        ["--min-context"] = "a whole number of tokens, e.g. 100000",
        ["--max-price"] = "USD per 1M tokens, e.g. 0.5",
        ["--max-tokens"] = "a whole number of at least 1, e.g. 100",
        ["--temperature"] = "a number from 0 to 2, e.g. 0.7",
        ["--groq-port"] = "a port number from 0 to 65535, e.g. 5301",
        ["--together-port"] = "a port number from 0 to 65535, e.g. 5302",
        ["--time-scale"] = "a number of at least 0, e.g. 1",
        ["--groq-rpm"] = "a whole number of requests per minute, e.g. 30",
        ["--groq-rpd"] = "a whole number of requests per day, e.g. 1000",
        ["--groq-tpm"] = "a whole number of tokens per minute, e.g. 6000",
        ["--groq-tpd"] = "a whole number of tokens per day, e.g. 500000",
        ["--together-rps"] = "a whole number of requests per second, e.g. 1",
        ["--together-tps"] = "a whole number of tokens per second, e.g. 3000",
        ["--seed"] = "a whole number, e.g. 42",
        ["--requests"] = "a whole number of at least 1, e.g. 200",
        ["--duration"] = "a positive number of seconds, e.g. 10",
        ["--warmup"] = "a whole number of at least 1, e.g. 8",
        ["--max-requests"] = "a whole number of at least 1, e.g. 100",
        ["--workers"] = "a whole number of at least 1, e.g. 4",
        ["--worker-index"] = "a whole number from 0 to --workers − 1, e.g. 0",
        ["--index-offset"] = "a whole number of at least 0, e.g. 4",
    };

    private static string ExplainConversion(string value, IReadOnlyList<string> args)
    {
        string? option = null;
        for (var i = 0; i < args.Count && option is null; i++)
        {
            if (args[i] == value && i > 0 && args[i - 1].StartsWith("--", StringComparison.Ordinal)) option = args[i - 1];
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].EndsWith("=" + value, StringComparison.Ordinal)) option = args[i][..args[i].IndexOf('=')];
        }
        if (option is null) return $"'{value}' is not a valid number here. Run with --help to see what each option expects.";
        return NumericHints.TryGetValue(option, out var hint)
            ? $"{option} expects {hint} (got '{value}')."
            : $"{option} does not accept '{value}'. Run with --help to see what it expects.";
    }

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to convert '(.*)' to ")]
    private static partial System.Text.RegularExpressions.Regex ConversionFailure();

    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
