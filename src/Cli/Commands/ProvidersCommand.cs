using System.ComponentModel;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

public sealed class ProvidersSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print the registry as JSON.")]
    public bool Json { get; init; }

    [CommandOption("--explain")]
    [Description("Also show, per provider, every place the credential chain looked (keys masked) and how its requests differ from OpenAI's.")]
    public bool Explain { get; init; }
}

/// <summary><c>providers</c>: the registry, and per provider whether a key resolves and from which source (masked).</summary>
public sealed class ProvidersCommand(CliContext context) : Command<ProvidersSettings>
{
    public override int Execute(CommandContext commandContext, ProvidersSettings settings, CancellationToken cancellationToken)
    {
        var resolver = CredentialResolver.Standard(null, context.Environment);
        var rows = ProviderRegistry.Default.Providers.Select(p =>
        {
            var credential = resolver.Resolve(p);
            var overrideUrl = context.Environment.GetEnvironmentVariable(p.BaseUrlEnvVar);
            var baseUrl = string.IsNullOrWhiteSpace(overrideUrl) ? p.BaseUrl.ToString() : overrideUrl.Trim();
            return new ProviderRow(p.Id, p.DisplayName, p.Aliases, baseUrl, string.IsNullOrWhiteSpace(overrideUrl) ? "registry" : p.BaseUrlEnvVar,
                p.KeyEnvVar, p.BaseUrlEnvVar, credential.Found, credential.Source, credential.Found ? credential.MaskedKey : null,
                [.. credential.Warnings, .. credential.Chain.Where(s => s.Outcome == CredentialOutcome.Unreadable).Select(s => $"{s.Location} could not be read{(s.Detail is null ? "" : $" ({s.Detail})")}; fix or remove it.")],
                settings.Explain ? credential.Chain.Select(s => s.ToString()).ToList() : null, p.DescribeRequestFields());
        }).ToList();

        if (settings.Json)
        {
            context.WriteJson(new { count = rows.Count, providers = rows });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Id", "Name", "Base URL", "Key variable", "Key");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Id), Markup.Escape(r.Name), Markup.Escape(r.BaseUrl) + (r.BaseUrlSource == "registry" ? "" : $" [grey](from {Markup.Escape(r.BaseUrlSource)})[/]"),
                Markup.Escape(r.KeyVariable),
                r.KeyFound ? $"[green]{Markup.Escape(r.MaskedKey!)}[/] [grey]({Markup.Escape(r.KeySource!)})[/]" : "[yellow]none[/]");
        context.Console.Write(table);
        var found = rows.Count(r => r.KeyFound);
        context.Console.MarkupLine($"{rows.Count} providers; a key resolves for {found}. Keys come from: explicit → *_API_KEY → ./.env → ~/.config/providerspecs/credentials.json.");
        foreach (var r in rows)
        {
            foreach (var warning in r.Warnings) context.Console.MarkupLine($"[yellow]warning[/] {Markup.Escape(r.Id)}: {Markup.Escape(warning)}");
            if (r.Chain is { } chain)
            {
                context.Console.MarkupLine($"[bold]{Markup.Escape(r.Id)}[/]:");
                foreach (var step in chain) context.Console.MarkupLine($"  {Markup.Escape(step)}");
                if (r.RequestFields.Count > 0)
                    context.Console.MarkupLine($"  requests in its own terms: {Markup.Escape(string.Join("; ", r.RequestFields))}");
            }
        }
        return ExitCodes.Ok;
    }

    private sealed record ProviderRow(string Id, string Name, IReadOnlyList<string> Aliases, string BaseUrl, string BaseUrlSource, string KeyVariable,
        string BaseUrlVariable, bool KeyFound, string? KeySource, string? MaskedKey, IReadOnlyList<string> Warnings, IReadOnlyList<string>? Chain,
        IReadOnlyList<string> RequestFields);
}
