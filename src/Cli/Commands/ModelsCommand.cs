using System.ComponentModel;
using System.Globalization;
using ProviderSpecs.Cli.Support;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

public sealed class ModelsSettings : CommandSettings
{
    [CommandArgument(0, "<provider>")]
    [Description("Provider id or alias (groq, together, openai, …).")]
    public string Provider { get; init; } = "";

    [CommandOption("--kind <KIND>")]
    [Description("Only models of this kind: chat, code, language, embedding, image, rerank, moderation, audio.")]
    public string? Kind { get; init; }

    [CommandOption("--capability <CAPABILITY>")]
    [Description("Only models with this capability (repeatable): streaming, tool-calls, json-mode, json-schema, reasoning, fine-tuning.")]
    public string[] Capabilities { get; init; } = [];

    [CommandOption("--min-context <TOKENS>")]
    [Description("Only models whose context window is at least this many tokens.")]
    public int? MinContext { get; init; }

    [CommandOption("--max-price <USD>")]
    [Description("Only models whose input and output prices are at most this many USD per 1M tokens.")]
    public decimal? MaxPrice { get; init; }

    [CommandOption("--owner <OWNER>")]
    [Description("Only models of this owner (case-insensitive), e.g. Meta.")]
    public string? Owner { get; init; }

    [CommandOption("--search <TEXT>")]
    [Description("Only models whose id, name or owner contains this text.")]
    public string? Search { get; init; }

    [CommandOption("--active-only")]
    [Description("Leave out models the provider marks inactive.")]
    public bool ActiveOnly { get; init; }

    [CommandOption("--simulated")]
    [Description("Start the simulated provider in-process (127.0.0.1) and list its models: works offline.")]
    public bool Simulated { get; init; }

    [CommandOption("--json")]
    [Description("Print the listing as JSON.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (MinContext is < 1) return ValidationResult.Error($"--min-context must be a whole number of tokens of at least 1, e.g. 100000 (got {MinContext}).");
        if (MaxPrice is < 0) return ValidationResult.Error($"--max-price must be 0 or more USD per 1M tokens, e.g. 0.5 (got {MaxPrice?.ToString(CultureInfo.InvariantCulture)}).");
        try
        {
            _ = ToFilter();
        }
        catch (CliException e)
        {
            return ValidationResult.Error(e.Message);
        }
        return ValidationResult.Success();
    }

    internal ModelFilter ToFilter() => new()
    {
        Kind = Kind is null ? null : ParseKind(Kind),
        Capabilities = Capabilities.Select(ParseCapability).ToList(),
        MinContextWindow = MinContext,
        MaxPricePerMillionTokens = MaxPrice,
        Owner = string.IsNullOrWhiteSpace(Owner) ? null : Owner.Trim(),
        Search = Search,
        ActiveOnly = ActiveOnly,
    };

    private static readonly string[] KindNames = ["chat", "code", "language", "embedding", "image", "rerank", "moderation", "audio"];

    private static ModelKind ParseKind(string text)
    {
        var index = Array.FindIndex(KindNames, k => string.Equals(k, text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (index < 0) throw new CliException($"--kind '{text}' is not a model kind; give one of: {string.Join(", ", KindNames)}.");
        return Enum.Parse<ModelKind>(KindNames[index], ignoreCase: true);
    }

    private static readonly (string Name, ModelCapability Capability)[] CapabilityNames =
    [
        ("streaming", ModelCapability.Streaming), ("tool-calls", ModelCapability.ToolCalls), ("json-mode", ModelCapability.JsonMode),
        ("json-schema", ModelCapability.JsonSchema), ("reasoning", ModelCapability.Reasoning), ("fine-tuning", ModelCapability.FineTuning),
    ];

    private static ModelCapability ParseCapability(string text)
    {
        var wanted = text.Trim().Replace('_', '-').ToLowerInvariant();
        if (wanted == "tools") wanted = "tool-calls";
        foreach (var (name, capability) in CapabilityNames)
            if (name == wanted || name.Replace("-", "") == wanted) return capability;
        throw new CliException($"--capability '{text}' is not a capability; give one of: {string.Join(", ", CapabilityNames.Select(c => c.Name))}.");
    }
}

/// <summary><c>models &lt;provider&gt;</c>: the catalog with filters, saying whether it came live or from the snapshot.</summary>
public sealed class ModelsCommand(CliContext context) : AsyncCommand<ModelsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext commandContext, ModelsSettings settings, CancellationToken cancellationToken)
    {
        var provider = ProviderRegistry.Default.Resolve(settings.Provider);
        var filter = settings.ToFilter();
        SimulatedProviders? simulators = null;
        try
        {
            var options = new ProviderSessionOptions { Environment = context.Environment };
            if (settings.Simulated)
            {
                Simulation.RequireSimulated(provider);
                simulators = await Simulation.StartAsync(context, [provider.Id], timeScale: 0).ConfigureAwait(false);
                var simulated = simulators[provider.Id];
                options = new ProviderSessionOptions { Environment = context.Environment, BaseUrl = simulated.BaseUrl, ApiKey = simulated.DefaultApiKey };
            }
            await using var session = ProviderSession.Open(provider.Id, options);
            var listing = await session.Catalog.GetModelsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var models = listing.Models.Where(filter.Matches).OrderBy(m => m.Id, StringComparer.OrdinalIgnoreCase).ToList();
            var source = listing.Source == FieldSource.Live ? "live" : "snapshot";
            var from = settings.Simulated ? $"simulated {provider.DisplayName} at {session.BaseUrl}" : session.BaseUrl.ToString();

            if (settings.Json)
            {
                context.WriteJson(new
                {
                    provider = provider.Id,
                    source,
                    simulated = settings.Simulated,
                    baseUrl = session.BaseUrl.ToString(),
                    fallbackReason = listing.FallbackReason,
                    total = listing.Models.Count,
                    count = models.Count,
                    models,
                });
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("Model", "Owner", "Kind", "Context", "Max out", "$ in/1M", "$ out/1M", "Capabilities");
            foreach (var m in models)
                table.AddRow(Markup.Escape(m.Id), Markup.Escape(m.Owner ?? "—"), m.Kind.ToString().ToLowerInvariant(), N(m.ContextWindow), N(m.MaxOutputTokens),
                    P(m.InputPricePerMillionTokens), P(m.OutputPricePerMillionTokens), Markup.Escape(Capabilities(m)));
            context.Console.Write(table);
            context.Console.MarkupLine(source == "live"
                ? $"{models.Count} of {listing.Models.Count} models, [green]live[/] from {Markup.Escape(from)} (gaps filled from the bundled snapshot)."
                : $"{models.Count} of {listing.Models.Count} models, from the bundled [yellow]snapshot[/]: {Markup.Escape(listing.FallbackReason ?? "the live list was not available")}");
            return ExitCodes.Ok;
        }
        finally
        {
            if (simulators is not null) await simulators.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string N(int? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "—";
    private static string P(decimal? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "—";

    private static string Capabilities(ModelInfo m) => string.Join(" ", new[]
    {
        m.Capabilities.Streaming == true ? "streaming" : null, m.Capabilities.ToolCalls == true ? "tools" : null,
        m.Capabilities.JsonMode == true ? "json" : null, m.Capabilities.JsonSchema == true ? "json-schema" : null,
        m.Capabilities.Reasoning == true ? "reasoning" : null,
    }.Where(c => c is not null));
}
