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
    [Description("Print the endpoints and test keys as one JSON document (then log lines, if asked).")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
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
        await using var simulators = await Simulation.StartAsync(context, ProviderIds.All, settings.TimeScale, settings.Seed, ports).ConfigureAwait(false);

        var endpoints = simulators.Select(s =>
        {
            var definition = ProviderRegistry.Default.Resolve(s.Id);
            return new
            {
                provider = s.Id,
                name = definition.DisplayName,
                baseUrl = s.BaseUrl.ToString(),
                port = s.Port,
                testApiKey = s.DefaultApiKey,
                keyVariable = definition.KeyEnvVar,
                baseUrlVariable = definition.BaseUrlEnvVar,
                models = s.ModelIds,
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
            context.Console.MarkupLine(
                $"Time scale {settings.TimeScale.ToString(CultureInfo.InvariantCulture)}, seed {settings.Seed}. {(settings.LogRequests ? "Logging requests. " : "")}Press Ctrl+C to stop.");
        }
        context.Out.Flush();
        context.SimulatorStarted?.Invoke(simulators);

        var logged = simulators.ToDictionary(s => s.Id, _ => 0);
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

    private void LogNewRequests(SimulatedProviders simulators, Dictionary<string, int> logged)
    {
        foreach (var simulator in simulators)
        {
            foreach (var request in simulator.DefaultScope.Requests.Where(r => r.Ordinal > logged[simulator.Id]))
            {
                logged[simulator.Id] = request.Ordinal;
                var auth = request.Headers.FirstOrDefault(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase)).Value ?? "(none)";
                var timing = request.Timing.FirstChunkDelay is { } first
                    ? $"first chunk {first.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms, "
                    : "";
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{DateTime.Now:HH:mm:ss.fff} {simulator.Id} {request.Method} {request.Path} {(request.Model is null ? "" : $"model={request.Model} ")}{(request.Stream ? "stream " : "")}→ {request.StatusCode} ({timing}total {request.Timing.Total.TotalMilliseconds:0} ms){(request.FaultsApplied.Count > 0 ? $" faults={string.Join(",", request.FaultsApplied)}" : "")} auth={auth}");
                context.Out.WriteLine(line);
            }
        }
        context.Out.Flush();
    }
}
