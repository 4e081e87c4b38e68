using ProviderSpecs.Cli.Commands;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Errors;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli;

/// <summary>The <c>providerspecs</c> command line: builds the Spectre.Console.Cli app and turns every failure into one line and an exit code.</summary>
public static class CliApp
{
    public static CommandApp Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("providerspecs");
            config.ConfigureConsole(context.Console);
            config.Settings.Registrar.RegisterInstance(context);
            config.SetExceptionHandler((exception, _) => Report(context, exception));

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
                .WithDescription("Run the simulated Groq and Together AI on loopback until Ctrl+C/SIGTERM; prints base URLs and test keys.")
                .WithExample("simulate").WithExample("simulate", "--groq-port", "5301", "--together-port", "5302", "--log-requests");
            config.AddCommand<BenchCommand>("bench")
                .WithDescription("Benchmark providers/models (simulated by default, --live with keys and --max-requests); writes JSON, Markdown and SVG reports.")
                .WithExample("bench").WithExample("bench", "--provider", "groq", "--model", "llama-3.1-8b-instant", "--requests", "200", "--concurrency", "1,8,32")
                .WithExample("bench", "--rate", "20", "--arrival", "poisson", "--duration", "10")
                .WithExample("bench", "--live", "--provider", "groq", "--requests", "20", "--max-requests", "30")
                .WithExample("bench", "--self-test");
            config.AddCommand<LivingDocCommand>("livingdoc")
                .WithDescription("Write reports/living-doc.html from the features, run results, benchmark reports and catalog.")
                .WithExample("livingdoc").WithExample("livingdoc", "--runs", "reports/specs.ndjson", "--out", "reports/living-doc.html");
        });
        return app;
    }

    public static Task<int> RunAsync(IEnumerable<string> args, CliContext context, CancellationToken cancellationToken = default) =>
        Create(context).RunAsync(args, cancellationToken);

    /// <summary>Writes the one-line reason of a failure to the error stream and returns the exit code.</summary>
    internal static int Report(CliContext context, Exception exception)
    {
        var (message, code) = Describe(exception);
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
        + $"(or put {e.EnvironmentVariable}=… in ./.env, or \"{e.ProviderId}\": \"…\" in ~/.config/providerspecs/credentials.json).";

    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
