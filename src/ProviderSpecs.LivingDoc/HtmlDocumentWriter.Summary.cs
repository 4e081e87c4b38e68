using System.Globalization;
using System.Text;

namespace ProviderSpecs.LivingDoc;

internal sealed partial class HtmlDocumentWriter
{
    /// <summary>
    /// The runs in short Markdown, for a CI run's summary page: per run its outcome counts, what failed (with the first
    /// line of why), what was skipped grouped by reason, and for a live run the plan, the spend and the limits met.
    /// Call after <see cref="Write"/>, which gathers the results.
    /// </summary>
    public string SummaryMarkdown()
    {
        var md = new StringBuilder();
        foreach (var run in Runs)
        {
            var results = tests.SelectMany(t => t.Results.Where(r => r.Run == run).Select(r => (Test: t, r.Case))).ToList();
            md.Append(CultureInfo.InvariantCulture, $"## {run.Label} run")
              .Append(run.Date is { } date ? $" — {date.ToUniversalTime():yyyy-MM-dd HH:mm} UTC" : "")
              .Append(run.Versions.TryGetValue("commit", out var commit) ? $", commit `{commit}`" : "").Append("\n\n");
            var counts = results.GroupBy(r => r.Case.Status).ToDictionary(g => g.Key, g => g.Count());
            md.Append(CultureInfo.InvariantCulture,
                $"{counts.GetValueOrDefault(ResultStatus.Passed)} passed, {results.Count(r => r.Case.Status is ResultStatus.Failed or ResultStatus.Ambiguous or ResultStatus.Undefined or ResultStatus.Pending)} failed, {counts.GetValueOrDefault(ResultStatus.Skipped)} skipped.\n\n");
            if (run.LiveBudgetSpent is { } spent)
                md.Append(CultureInfo.InvariantCulture, $"Live spend: {spent.Requests ?? 0:N0} requests, {spent.Tokens ?? 0:N0} tokens")
                  .Append(spent.PlannedRequests is { } planned ? string.Create(CultureInfo.InvariantCulture, $" (planned {planned:N0} requests, {spent.PlannedTokens ?? 0:N0} tokens; allowed {spent.MaxRequests ?? 0:N0} and {spent.MaxTokens ?? 0:N0})") : "")
                  .Append(spent.Refused is > 0 ? $"; {spent.Refused} refused by the budget" : "").Append(".\n\n");
            if (run.RateLimitsSeen.Count > 0)
            {
                md.Append("Rate limits met:\n\n");
                foreach (var limit in run.RateLimitsSeen) md.Append("- ").Append(limit).Append('\n');
                md.Append('\n');
            }
            var failed = results.Where(r => r.Case.Status is ResultStatus.Failed or ResultStatus.Ambiguous or ResultStatus.Undefined or ResultStatus.Pending).ToList();
            if (failed.Count > 0)
            {
                md.Append("### Failed\n\n| scenario | feature | why |\n|---|---|---|\n");
                foreach (var (test, result) in failed)
                    md.Append("| ").Append(Cell(test.Name)).Append(" | ").Append(Cell(test.Feature.Title)).Append(" | ").Append(Cell(FirstLine(result.Message))).Append(" |\n");
                md.Append('\n');
            }
            var skipped = results.Where(r => r.Case.Status == ResultStatus.Skipped).GroupBy(r => SkipReasonKey(r.Case.Message)).OrderByDescending(g => g.Count()).ToList();
            if (skipped.Count > 0)
            {
                md.Append("### Skipped, and why\n\n| reason | scenarios |\n|---|---:|\n");
                foreach (var group in skipped) md.Append("| ").Append(Cell(group.Key)).Append(" | ").Append(group.Count()).Append(" |\n");
                md.Append('\n');
            }
        }
        if (content.Plan is { } plan)
        {
            var uncovered = plan.Items.Where(i => Covering(i).Count == 0).ToList();
            md.Append(CultureInfo.InvariantCulture, $"## Validation plan\n\n{plan.Items.Count - uncovered.Count} of {plan.Items.Count} items covered by scenarios.")
              .Append(uncovered.Count == 0 ? "\n\n" : " Not covered:\n\n");
            foreach (var item in uncovered) md.Append("- ").Append(item.Area.Length > 0 ? $"{item.Area}: " : "").Append(item.Item).Append('\n');
            if (uncovered.Count > 0) md.Append('\n');
        }
        if (content.CatalogDrift is { Count: > 0 } drift)
        {
            md.Append("## Catalog drift against the bundled snapshot\n\n| provider | target | snapshot of | listed now, not in the snapshot | in the snapshot, no longer listed | named by scenarios, not listed |\n|---|---|---|---|---|---|\n");
            foreach (var row in drift)
                md.Append("| ").Append(Cell(row.ProviderName ?? row.Provider)).Append(" | ").Append(Cell(row.Target ?? "—")).Append(" | ").Append(Cell(row.SnapshotDate ?? "—"))
                  .Append(" | ").Append(Cell(Models(row.ListedNotInSnapshot))).Append(" | ").Append(Cell(Models(row.InSnapshotNotListed)))
                  .Append(" | ").Append(Cell(Models(row.NamedButNotListed))).Append(" |\n");
            md.Append('\n');
        }
        return md.ToString();
    }

    private static string Models(IReadOnlyList<string>? ids) => ids is not { Count: > 0 } ? "none" : string.Join(", ", ids.Select(id => $"`{id}`"));

    private static string FirstLine(string? text) => string.IsNullOrWhiteSpace(text) ? "(no message)" : text.Split('\n')[0].Trim();

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
