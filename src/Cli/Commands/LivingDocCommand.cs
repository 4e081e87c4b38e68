using System.ComponentModel;
using System.Globalization;
using ProviderSpecs.Cli.Support;
using ProviderSpecs.LivingDoc;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

public sealed class LivingDocSettings : CommandSettings
{
    [CommandOption("--features <DIR>")]
    [Description("Folder of .feature files. Default: features/ under the repository root.")]
    public string? Features { get; init; }

    [CommandOption("--runs <PATH>")]
    [Description("Cucumber message stream (.ndjson) or a folder of them (repeatable). Default: reports/*.ndjson.")]
    public string[] Runs { get; init; } = [];

    [CommandOption("--no-runs")]
    [Description("Documentation only: leave run results out.")]
    public bool NoRuns { get; init; }

    [CommandOption("--benchmarks <DIR>")]
    [Description("Folder of benchmark reports and charts. Default: reports/benchmarks.")]
    public string? Benchmarks { get; init; }

    [CommandOption("--catalog <FILE>")]
    [Description("Model catalog JSON. Default: reports/catalog.json.")]
    public string? Catalog { get; init; }

    [CommandOption("--fault-matrix <FILE>")]
    [Description("Fault matrix JSON. Default: reports/fault-matrix.json.")]
    public string? FaultMatrix { get; init; }

    [CommandOption("--out <FILE>")]
    [Description("The HTML file to write. Default: reports/living-doc.html.")]
    public string? Out { get; init; }

    [CommandOption("--catalog-drift <FILE>")]
    [Description("Catalog drift JSON (models listed live vs the bundled snapshot). Default: reports/catalog-drift.json.")]
    public string? CatalogDrift { get; init; }

    [CommandOption("--summary <FILE>")]
    [Description("Also append a Markdown account of the runs (failed, skipped and why, live spend and limits) to FILE, e.g. $GITHUB_STEP_SUMMARY.")]
    public string? Summary { get; init; }

    [CommandOption("--json")]
    [Description("Print the result (counts, problems) as JSON.")]
    public bool Json { get; init; }
}

/// <summary><c>livingdoc</c>: the single-file HTML usage guide from features, runs, benchmarks and the catalog.</summary>
public sealed class LivingDocCommand(CliContext context) : Command<LivingDocSettings>
{
    public override int Execute(CommandContext commandContext, LivingDocSettings settings, CancellationToken cancellationToken)
    {
        var root = RepoRoot.Find(context.WorkingDirectory);
        if (root is null && settings.Features is null)
            throw new CliException($"no repository root (a folder with Specs.sln) above {context.WorkingDirectory}: give --features <dir>.");
        var defaults = root is not null ? LivingDocOptions.ForRepository(root) : null;
        var options = new LivingDocOptions
        {
            FeaturesDirectory = settings.Features is { } f ? context.FullPath(f) : defaults!.FeaturesDirectory,
            OutputPath = settings.Out is { } o ? context.FullPath(o) : defaults?.OutputPath ?? context.FullPath(Path.Combine("reports", "living-doc.html")),
            RunFiles = settings.NoRuns ? [] : settings.Runs.Length > 0 ? settings.Runs.Select(context.FullPath).ToList() : defaults?.RunFiles ?? [],
            BenchmarksDirectory = settings.Benchmarks is { } b ? context.FullPath(b) : defaults?.BenchmarksDirectory,
            CatalogPath = settings.Catalog is { } c ? context.FullPath(c) : defaults?.CatalogPath,
            FaultMatrixPath = settings.FaultMatrix is { } m ? context.FullPath(m) : defaults?.FaultMatrixPath,
            SnippetSourceRoot = defaults?.SnippetSourceRoot,
            CatalogDriftPath = settings.CatalogDrift is { } drift ? context.FullPath(drift) : defaults?.CatalogDriftPath,
            SummaryPath = settings.Summary is { } summary ? context.FullPath(summary) : null,
        };

        var result = LivingDocGenerator.Generate(options);
        if (settings.Json)
        {
            context.WriteJson(new
            {
                result.OutputPath, result.FeatureCount, result.ScenarioCount, result.RunCount, result.ResultCount, result.OutputBytes, result.ExitCode,
                problems = result.Problems,
            });
        }
        else
        {
            if (result.OutputPath is not null)
                context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"Wrote {result.OutputPath} ({result.OutputBytes / 1024.0:0} KB): {result.FeatureCount} features, {result.ScenarioCount} scenarios, {result.RunCount} runs, {result.ResultCount} results.")));
            if (result.Problems.Count > 0)
            {
                context.Console.MarkupLine($"{result.Problems.Count} input(s) could not be included (listed in the document too):");
                foreach (var p in result.Problems) context.Console.MarkupLine($"  [yellow]-[/] {Markup.Escape(p.Input)}: {Markup.Escape(CliApp.OneLine(p.Reason))}");
            }
        }
        if (result.ExitCode != 0)
        {
            var first = result.Problems.FirstOrDefault();
            throw new CliException(result.ExitCode == 2
                ? $"nothing usable to document: {(first is null ? $"no .feature files in {options.FeaturesDirectory}" : $"{first.Input}: {first.Reason}")}"
                : $"the living doc could not be written to {options.OutputPath}{(first is null ? "" : $": {first.Reason}")}", result.ExitCode);
        }
        return ExitCodes.Ok;
    }
}
