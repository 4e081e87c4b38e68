using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using ProviderSpecs.Benchmarking.Metrics;
using ProviderSpecs.Benchmarking.Reporting;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Cli.Support;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

/// <summary>
/// The settings of the <c>bench</c> branch itself: none. Its commands (<c>bench [OPTIONS]</c>, the default, and
/// <c>bench merge DIR…</c>) each declare their own options. Options declared on the branch's settings as well would be
/// bound twice, and Spectre.Console.Cli (0.57) then resets some of them (flags such as --live, options with a default
/// value such as --seed and --max-tokens) on the default command.
/// </summary>
public class BenchBranchSettings : CommandSettings;

/// <summary><c>bench merge DIR…</c>'s settings: the workers' folders, --out and --json (the plan is in the workers' results).</summary>
public sealed class BenchMergeSettings : BenchBranchSettings
{
    [CommandArgument(0, "<DIR>")]
    [Description("The workers' output folders (each worker's --out), or folders whose subfolders are; every worker of the plan once.")]
    public string[] Directories { get; init; } = [];

    [CommandOption("--out <DIR>")]
    [Description("Output folder of the merged result. Default: reports/benchmarks under the repository root (the folder with Specs.sln).")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print a JSON summary (files written, workers, key figures) instead of the table.")]
    public bool Json { get; init; }
}

/// <summary>
/// <c>bench merge DIR…</c>: reads the outputs of the workers of one plan (results and interval logs), refuses outputs of
/// different plans, adds their histograms exactly and writes one result document, its Markdown and SVG reports and the
/// merged interval log, with a per-worker breakdown.
/// </summary>
public sealed class BenchMergeCommand(CliContext context) : Command<BenchMergeSettings>
{
    public override int Execute(CommandContext commandContext, BenchMergeSettings settings, CancellationToken cancellationToken)
    {
        // Spectre.Console.Cli passes unknown options on as remaining arguments: bench's run options are refused here.
        var unknown = commandContext.Remaining.Parsed.Select(p => p.Key).ToList();
        if (unknown.Count > 0)
            throw new CliException($"bench merge takes the workers' folders, --out and --json only; drop {string.Join(", ", unknown.Select(u => u.StartsWith('-') ? u : "--" + u).Distinct(StringComparer.Ordinal))} (the plan is in the workers' results).");
        var inputs = Inputs(settings.Directories);
        var outDir = settings.Out is { } o
            ? context.FullPath(o)
            : Path.Combine(RepoRoot.Require(context.WorkingDirectory, "reports/benchmarks"), "reports", "benchmarks");
        if (inputs.FirstOrDefault(i => SamePath(i, outDir)) is { } clash)
            throw new CliException($"--out {outDir} is one of the folders to merge ({clash}): write the merged result elsewhere, e.g. --out {Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(outDir)) ?? ".", "merged")}.");

        var clock = Stopwatch.StartNew();
        BenchmarkDocument merged;
        try
        {
            merged = BenchmarkMerge.Merge(inputs.Select(WorkerOutput.Load).ToList());
        }
        catch (BenchmarkMergeException e)
        {
            throw new CliException(e.Message);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var files = BenchCommand.WriteStaged(outDir, staging => BenchmarkReport.WriteAll(merged, staging));
        clock.Stop();

        var recorded = merged.Scenarios.Sum(s => (long)s.Started);
        if (settings.Json)
        {
            context.WriteJson(new
            {
                outputDirectory = outDir,
                files,
                seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                recordedRequests = recorded,
                workers = merged.MergedFrom!.Select(w => new { index = w.Index, label = w.Label, seed = w.Seed, machine = w.Machine, source = w.Source }),
                scenarios = merged.Scenarios.Select(s => new
                {
                    provider = s.Provider,
                    model = s.Model,
                    load = s.Load.Description,
                    started = s.Started,
                    succeeded = s.Succeeded,
                    notMeasured = s.NotMeasuredReason(),
                    requestsPerSecond = s.RequestsPerSecond.Value,
                    ttftMs = new { p50 = s.Ttft.P50, p95 = s.Ttft.P95, p99 = s.Ttft.P99, min = s.Ttft.Min, max = s.Ttft.Max },
                    e2eMs = new { p50 = s.EndToEnd.P50, p95 = s.EndToEnd.P95 },
                    workers = s.Workers!.Select(w => new { index = w.Index, label = w.Label, started = w.Started, succeeded = w.Succeeded, ttftMsP50 = w.TtftP50, ttftMsP95 = w.TtftP95 }),
                }),
            });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Provider / model", "Load", "OK", "req/s", "TTFT p50", "TTFT p95", "TTFT p99", "E2E p95", "Workers (label: OK)");
        foreach (var s in merged.Scenarios)
            table.AddRow(Markup.Escape($"{s.Provider} / {s.Model}"), Markup.Escape(s.Load.Description), $"{s.Succeeded}/{s.Started}", Ms(s.RequestsPerSecond.Value),
                s.Ttft.Format(Percentile.P50), s.Ttft.Format(Percentile.P95), s.Ttft.Format(Percentile.P99), s.EndToEnd.Format(Percentile.P95),
                Markup.Escape(string.Join("; ", s.Workers!.Select(w => $"{w.Index}{(w.Label is { } l ? $" {l}" : "")}: {w.Succeeded}/{w.Started}"))));
        context.Console.Write(table);
        foreach (var s in merged.Scenarios.Where(s => s.NotMeasuredReason() is not null))
            context.Console.MarkupLine(Markup.Escape($"— {s.Provider} / {s.Model} ({s.Load.Description}): {s.NotMeasuredReason()}"));
        context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Latencies in ms. Merged {merged.MergedFrom!.Count} workers, {recorded} measured requests, in {clock.Elapsed.TotalSeconds:0.000} s (percentiles from the exact sum of their histograms).")));
        context.Console.MarkupLine($"Wrote {files.Count} files to {Markup.Escape(outDir)}:");
        foreach (var file in files) context.Console.MarkupLine($"  {Markup.Escape(Path.GetFileName(file))}");
        return ExitCodes.Ok;
    }

    /// <summary>Each argument is a worker's output folder, or a folder whose immediate subfolders are (e.g. the collected /results).</summary>
    private List<string> Inputs(IReadOnlyList<string> arguments)
    {
        var inputs = new List<string>();
        foreach (var argument in arguments)
        {
            var full = context.FullPath(argument);
            if (!Directory.Exists(full))
                throw new CliException($"{argument} is not a folder: give the workers' output folders (each worker's --out).");
            if (File.Exists(Path.Combine(full, BenchmarkDocument.FileName)))
            {
                inputs.Add(full);
                continue;
            }
            var children = Directory.EnumerateDirectories(full).Where(d => File.Exists(Path.Combine(d, BenchmarkDocument.FileName)))
                .Order(StringComparer.Ordinal).ToList();
            if (children.Count == 0)
                throw new CliException($"{argument} holds no {BenchmarkDocument.FileName}, nor do its subfolders: give the workers' output folders (each worker's --out).");
            inputs.AddRange(children);
        }
        var repeated = inputs.GroupBy(i => Path.TrimEndingDirectorySeparator(i), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new CliException($"{repeated.Key} is given more than once: give each worker's output folder once.");
        return inputs;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    private static string Ms(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "—";
}
