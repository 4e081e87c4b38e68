using System.ComponentModel;
using System.Globalization;
using System.Net;
using ProviderSpecs.Cli.Support;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

public sealed class SimulateSettings : CommandSettings
{
    [CommandOption("--groq-port <PORT>")]
    [Description("Loopback port for the simulated Groq (0 or absent: a free port).")]
    public int? GroqPort { get; init; }

    [CommandOption("--together-port <PORT>")]
    [Description("Loopback port for the simulated Together AI (0 or absent: a free port).")]
    public int? TogetherPort { get; init; }

    [CommandOption("--bind <ADDRESS>")]
    [Description("Address to listen on. Only loopback (127.0.0.1 / localhost) is allowed: the simulators accept published test keys.")]
    [DefaultValue("127.0.0.1")]
    public string Bind { get; init; } = "127.0.0.1";

    [CommandOption("--log-requests")]
    [Description("Print one line per request served (Authorization masked).")]
    public bool LogRequests { get; init; }

    [CommandOption("--time-scale <FACTOR>")]
    [Description("Multiplies every simulated delay: 1 = the latency profiles as published, 0 = no pacing.")]
    [DefaultValue(1.0)]
    public double TimeScale { get; init; } = 1.0;

    [CommandOption("--seed <N>")]
    [Description("Seed of replies and latency samples (runs are reproducible).")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("--json")]
    [Description("Print the endpoints, test keys, control URLs, limits and faults as one JSON document (then log lines, if asked).")]
    public bool Json { get; init; }

    [CommandOption("--fault <SPEC>")]
    // Help text is Spectre markup: [[ and ]] print brackets.
    [Description("Inject a fault for the printed test key (repeatable): PROVIDER[[/MODEL]]:FAULT[[,count=N]][[,retry-after=SECONDS]][[,delay=SECONDS]][[,after-chunks=N]], e.g. " + FaultArgument.Example + ". Faults are listed above.")]
    public string[] Faults { get; init; } = [];

    [CommandOption("--limits <PLAN>")]
    [Description("Enforce published rate limits per key and model: none (default: headers reported, nothing refused) or free-plan (Groq's and Together's free plans, per model).")]
    [DefaultValue("none")]
    public string Limits { get; init; } = "none";

    [CommandOption("--groq-rpm <N>")]
    [Description("Enforce N requests per minute for every Groq model (with or without --limits).")]
    public int? GroqRpm { get; init; }

    [CommandOption("--groq-rpd <N>")]
    [Description("Enforce N requests per day for every Groq model.")]
    public int? GroqRpd { get; init; }

    [CommandOption("--groq-tpm <N>")]
    [Description("Enforce N tokens per minute for every Groq model (a request counts its prompt + max tokens).")]
    public int? GroqTpm { get; init; }

    [CommandOption("--groq-tpd <N>")]
    [Description("Enforce N tokens per day for every Groq model.")]
    public int? GroqTpd { get; init; }

    [CommandOption("--together-rps <N>")]
    [Description("Enforce N requests per second for every Together AI model.")]
    public int? TogetherRps { get; init; }

    [CommandOption("--together-tps <N>")]
    [Description("Enforce N tokens per second for every Together AI model.")]
    public int? TogetherTps { get; init; }

    /// <summary>The explicit limits by provider, window and flag name.</summary>
    internal IEnumerable<(string ProviderId, RateLimitWindow Window, string Flag, int? Limit)> ExplicitLimits() =>
    [
        (ProviderIds.Groq, RateLimitWindow.RequestsPerMinute, "--groq-rpm", GroqRpm),
        (ProviderIds.Groq, RateLimitWindow.RequestsPerDay, "--groq-rpd", GroqRpd),
        (ProviderIds.Groq, RateLimitWindow.TokensPerMinute, "--groq-tpm", GroqTpm),
        (ProviderIds.Groq, RateLimitWindow.TokensPerDay, "--groq-tpd", GroqTpd),
        (ProviderIds.TogetherAi, RateLimitWindow.RequestsPerSecond, "--together-rps", TogetherRps),
        (ProviderIds.TogetherAi, RateLimitWindow.TokensPerSecond, "--together-tps", TogetherTps),
    ];

    /// <summary>What one provider enforces: the plan of --limits plus its explicit windows.</summary>
    internal RateLimitOptions LimitsFor(string providerId)
    {
        RateLimitWindows.TryParsePlan(Limits, out var plan);
        var options = new RateLimitOptions { Plan = plan };
        foreach (var (provider, window, _, limit) in ExplicitLimits())
            if (provider == providerId && limit is { } value)
                options = options.With(window, value);
        return options;
    }

    public override ValidationResult Validate()
    {
        if (!RateLimitWindows.TryParsePlan(Limits, out _))
            return ValidationResult.Error($"--limits must be none or free-plan (got '{Limits}').");
        foreach (var (_, _, flag, limit) in ExplicitLimits())
            if (limit is < 1) return ValidationResult.Error($"{flag} must be a whole number of at least 1, e.g. 5 (got {limit}).");
        foreach (var (name, port) in new[] { ("--groq-port", GroqPort), ("--together-port", TogetherPort) })
            if (port is < 0 or > 65535) return ValidationResult.Error($"{name} must be a port number from 0 to 65535, e.g. 5301 (got {port}).");
        if (GroqPort is > 0 && GroqPort == TogetherPort) return ValidationResult.Error($"--groq-port and --together-port must differ (both {GroqPort}).");
        if (!double.IsFinite(TimeScale) || TimeScale < 0)
            return ValidationResult.Error($"--time-scale must be a number of at least 0, e.g. 1 or 0.1 (got {TimeScale.ToString(CultureInfo.InvariantCulture)}).");
        return CheckBind(Bind) is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
    }

    /// <summary>Null when the address is loopback IPv4 (what the simulators listen on); the reason otherwise.</summary>
    internal static string? CheckBind(string bind)
    {
        var text = bind.Trim();
        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase)) return null;
        if (!IPAddress.TryParse(text.Trim('[', ']'), out var address))
            return $"--bind '{bind}' is not an IP address; the simulators listen on loopback only: give --bind 127.0.0.1.";
        if (!IPAddress.IsLoopback(address))
            return $"refusing to listen on {bind}: it is not a loopback address and the simulators accept published test keys; give --bind 127.0.0.1.";
        if (!address.Equals(IPAddress.Loopback))
            return $"--bind {bind} is loopback but the simulators listen on 127.0.0.1 only; give --bind 127.0.0.1.";
        return null;
    }
}

/// <summary><c>simulate</c>: the simulated providers on loopback until Ctrl+C/SIGTERM, so any client can be developed offline.</summary>
public sealed class SimulateCommand(CliContext context) : AsyncCommand<SimulateSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext commandContext, SimulateSettings settings, CancellationToken cancellationToken)
    {
        var ports = new Dictionary<string, int>();
        if (settings.GroqPort is > 0) ports[ProviderIds.Groq] = settings.GroqPort.Value;
        if (settings.TogetherPort is > 0) ports[ProviderIds.TogetherAi] = settings.TogetherPort.Value;
        var faults = settings.Faults.Select(FaultArgument.Parse).ToList();
        await using var simulators = await Simulation.StartAsync(context, ProviderIds.All, settings.TimeScale, settings.Seed, ports).ConfigureAwait(false);
        foreach (var simulator in simulators) simulator.SetRateLimits(settings.LimitsFor(simulator.Id));
        foreach (var fault in faults)
        {
            try
            {
                simulators[fault.ProviderId].InjectDefaultFault(fault.Kind, fault.Options);
            }
            catch (ArgumentException e)
            {
                throw FaultArgument.Refused(fault.Text, e);
            }
        }

        var endpoints = simulators.Select(s =>
        {
            var definition = ProviderRegistry.Default.Resolve(s.Id);
            return new
            {
                provider = s.Id,
                name = definition.DisplayName,
                baseUrl = s.BaseUrl.ToString(),
                controlUrl = s.ControlUrl.ToString(),
                port = s.Port,
                testApiKey = s.DefaultApiKey,
                keyVariable = definition.KeyEnvVar,
                baseUrlVariable = definition.BaseUrlEnvVar,
                models = s.ModelIds,
                limits = s.RateLimits.ToString(),
                faults = s.DefaultScope.ActiveFaults.Select(Describe).ToList(),
            };
        }).ToList();

        if (settings.Json)
        {
            context.WriteJson(new { timeScale = settings.TimeScale, seed = settings.Seed, providers = endpoints });
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Provider", "Base URL", "Test key (fake, valid only here)", "Models");
            foreach (var e in endpoints)
                table.AddRow(Markup.Escape(e.name), Markup.Escape(e.baseUrl), Markup.Escape(e.testApiKey), e.models.Count.ToString(CultureInfo.InvariantCulture));
            context.Console.Write(table);
            context.Console.MarkupLine("Point any OpenAI-compatible client at them, e.g.:");
            foreach (var e in endpoints)
                context.Console.MarkupLine($"  export {e.baseUrlVariable}={Markup.Escape(e.baseUrl)} {e.keyVariable}={Markup.Escape(e.testApiKey)}");
            context.Console.MarkupLine("Control endpoints (JSON, loopback, no key: faults, limits, time scale, request log, reset; see --help):");
            foreach (var e in endpoints)
                context.Console.MarkupLine(Markup.Escape(
                    $"  {e.name}: {e.controlUrl}   limits: {e.limits}{(e.faults.Count > 0 ? "   faults: " + string.Join("; ", e.faults) : "")}"));
            context.Console.MarkupLine(
                $"Time scale {settings.TimeScale.ToString(CultureInfo.InvariantCulture)}, seed {settings.Seed}. {(settings.LogRequests ? "Logging requests. " : "")}Press Ctrl+C to stop.");
        }
        context.Out.Flush();
        context.SimulatorStarted?.Invoke(simulators);

        var logged = simulators.ToDictionary(s => s.Id, _ => new HashSet<int>());
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(context.RequestLogInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (settings.LogRequests) LogNewRequests(simulators, logged);
        }
        if (settings.LogRequests) LogNewRequests(simulators, logged);
        await simulators.DisposeAsync().ConfigureAwait(false);
        if (!settings.Json) context.Console.MarkupLine("Simulated providers stopped.");
        return ExitCodes.Ok;
    }

    private static string Describe(InjectedFault fault)
    {
        var options = new List<string>();
        if (fault.Options.Model is { } model) options.Add("model " + model);
        if (fault.Remaining is { } remaining) options.Add($"{remaining}×");
        if (fault.Options.RetryAfter is { } retry) options.Add(string.Create(CultureInfo.InvariantCulture, $"retry-after {retry.TotalSeconds}s"));
        if (fault.Options.Delay is { } delay) options.Add(string.Create(CultureInfo.InvariantCulture, $"delay {delay.TotalSeconds}s"));
        if (fault.Options.AfterChunks is { } chunks) options.Add($"after {chunks} chunks");
        return options.Count == 0 ? fault.Fault : $"{fault.Fault} ({string.Join(", ", options)})";
    }

    // Requests are recorded as they finish, not in arrival order, so "after the last ordinal printed" would skip some:
    // remember which of the log's current entries were printed (bounded by the log's own size).
    private void LogNewRequests(SimulatedProviders simulators, Dictionary<string, HashSet<int>> logged)
    {
        foreach (var simulator in simulators)
        {
            var requests = simulator.DefaultScope.Requests;
            var printed = logged[simulator.Id];
            foreach (var request in requests.Where(r => !printed.Contains(r.Ordinal)))
            {
                var auth = request.Headers.FirstOrDefault(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase)).Value ?? "(none)";
                var timing = request.Timing.FirstChunkDelay is { } first
                    ? $"first chunk {first.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms, "
                    : "";
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{DateTime.Now:HH:mm:ss.fff} {simulator.Id} {request.Method} {request.Path} {(request.Model is null ? "" : $"model={request.Model} ")}{(request.Stream ? "stream " : "")}→ {request.StatusCode} ({timing}total {request.Timing.Total.TotalMilliseconds:0} ms){(request.FaultsApplied.Count > 0 ? $" faults={string.Join(",", request.FaultsApplied)}" : "")}{(request.RateLimitedBy is { } limit ? $" limited by {limit}" : "")}{(request.RetryAfter is { } wait ? $" wait={wait.TotalSeconds:0.###}s" : "")} auth={auth}");
                context.Out.WriteLine(line);
            }
            logged[simulator.Id] = requests.Select(r => r.Ordinal).ToHashSet();
        }
        context.Out.Flush();
    }

    /// <summary>The command's help description (plain text; escape it for Spectre markup): what it does, the faults (one line each, from the fault catalog), limits and control-endpoint examples.</summary>
    internal static string HelpDescription()
    {
        var faults = FaultCatalog.All;
        var width = faults.Max(f => f.Name.Length);
        var lines = new List<string>
        {
            "Run the simulated Groq and Together AI on loopback until Ctrl+C/SIGTERM; prints base URLs, test keys and control URLs.",
            "",
            $"Faults (--fault {FaultArgument.Syntax}; PROVIDER is groq, together_ai or together):",
        };
        lines.AddRange(faults.Select(f => $"  {f.Name.PadRight(width)}  {(f.Status is { } status ? status.ToString(CultureInfo.InvariantCulture) : "---")}  {f.Summary}"));
        lines.AddRange(
        [
            "",
            "Limits: --limits free-plan and/or --groq-rpm/--groq-rpd/--groq-tpm/--groq-tpd N, --together-rps/--together-tps N: exact sliding",
            "windows per key and model; a request over a limit gets 429 with the provider's body, retry-after and x-ratelimit-* headers.",
            "",
            "Control endpoint of each provider (the printed control URL; JSON, loopback only, no key), e.g.:",
            """  curl -X POST $URL/faults -d '{"fault":"overloaded","count":1}'      # DELETE $URL/faults clears them""",
            """  curl -X PUT $URL/limits -d '{"plan":"free-plan"}'                  # or {"rpm":5}, {"plan":"none"}""",
            """  curl -X PUT $URL/time-scale -d '{"timeScale":0.1}'""",
            "  curl $URL/requests        # the printed key's request log: masked, status, faults, served timing",
            "  curl -X POST $URL/reset   # clears faults, request log and rate-limit windows",
        ]);
        return string.Join('\n', lines);
    }
}
