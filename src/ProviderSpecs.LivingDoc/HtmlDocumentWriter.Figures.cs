using System.Globalization;
using System.Text;

namespace ProviderSpecs.LivingDoc;

/// <summary>The chapters built from measured figures: recommendations and provider comparison (benchmark results), fault matrix.</summary>
internal sealed partial class HtmlDocumentWriter
{
    private const string TtftFallbackDefinition = "time to first token: request start to the first chunk with content";
    private const string TpotFallbackDefinition = "time per output token after the first";
    private const string TokensPerSecondFallbackDefinition = "per-request output tokens ÷ end-to-end time";

    // ---------------------------------------------------------------- recommendations from the benchmark results

    private void WriteMeasuredRecommendations()
    {
        if (content.Figures is not { } figures) return;
        html.Append("<section class=\"chapter\" id=\"recommendations\"><h2>Recommendations from the measured figures</h2>\n");
        if (figures.Runs.Count == 0)
        {
            html.Append("<p class=\"notice warn\">No benchmark results could be read, so there are no measured recommendations — see <a href=\"#problems\">what could not be included and why</a>.")
                .Append(content.Catalog is not null ? " The <a href=\"#catalog-recommendations\">catalog</a> still says which models are cheapest and have the largest context." : "")
                .Append("</p>\n</section>\n");
            return;
        }
        html.Append("<p class=\"muted\">From ").Append(string.Join(", ", figures.Files.Select(f => $"<code>{E(f)}</code>")))
            .Append(". Every figure is the <strong>median, over a model's clean runs, of that run's own percentile</strong>; a clean run streamed its answers, ")
            .Append("had at least one success and met no rate limit (HTTP 429), so a deliberately throttled or slowed run does not decide a recommendation. ")
            .Append("Each metric's definition is the one the benchmark recorded.</p>\n");
        foreach (var target in figures.Targets)
            WriteTargetRecommendations(figures, target);
        html.Append("</section>\n");
    }

    private void WriteTargetRecommendations(BenchmarkFigures figures, string target)
    {
        var models = figures.ForTarget(target);
        var slug = Anchors.Slug(target);
        html.Append("<div class=\"target-figures\" data-target=\"").Append(E(target)).Append("\"><h3 id=\"").Append(anchors.Unique("recommendations-" + slug)).Append("\">")
            .Append(E(TargetTitle(target))).Append("</h3>\n");
        if (target.Equals("simulated", StringComparison.OrdinalIgnoreCase))
            html.Append("<p class=\"notice\">Simulated figures: they come from the simulators' latency profiles — the providers' published speeds — played through the real client stack. ")
                .Append("They show what the published speeds mean for each use, not a live measurement of Groq or Together AI.</p>\n");
        else if (target.Equals("live", StringComparison.OrdinalIgnoreCase))
            html.Append("<p class=\"notice\">Live figures: measured against the real provider APIs from the benchmark machine; network distance is part of every latency.</p>\n");
        if (models.Count == 0)
        {
            html.Append("<p class=\"notice warn\">No clean run for this target (every run was non-streamed, rate-limited or failed entirely), so nothing is recommended from it.</p></div>\n");
            return;
        }

        var ttftDefinition = Definition(models.SelectMany(m => m.Runs).Select(r => r.Ttft.Definition), TtftFallbackDefinition);
        var tpotDefinition = Definition(models.SelectMany(m => m.Runs).Select(r => r.Tpot?.Definition), TpotFallbackDefinition);
        var speedDefinition = Definition(models.SelectMany(m => m.Runs).Select(r => r.PerRequestTokensPerSecond?.Definition), TokensPerSecondFallbackDefinition);
        var of = models.Count == 1 ? "the only model measured" : $"best of {models.Count} models measured";

        html.Append("<ul class=\"recommendations measured\">");
        // Interactive chat: what the user waits for before anything appears.
        var interactive = models.OrderBy(m => m.TtftP50).ThenBy(m => m.TtftP95).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
        var fastest = interactive[0];
        html.Append("<li data-use=\"interactive\"><strong>Interactive chat</strong> → ").Append(ModelCode(fastest)).Append(": lowest time to first token, <strong>P50 ")
            .Append(Ms(fastest.TtftP50)).Append(", P95 ").Append(Ms(fastest.TtftP95)).Append("</strong> (").Append(of).Append(RunsNote(fastest)).Append(')');
        if (interactive.Count > 1)
            html.Append("; next ").Append(ModelCode(interactive[1])).Append(" P50 ").Append(Ms(interactive[1].TtftP50)).Append(", P95 ").Append(Ms(interactive[1].TtftP95));
        var lowestP95 = models.OrderBy(m => m.TtftP95).ThenBy(m => m.Key, StringComparer.Ordinal).First();
        if (lowestP95 != fastest)
            html.Append(". For the steadiest tail, ").Append(ModelCode(lowestP95)).Append(" has the lowest P95: ").Append(Ms(lowestP95.TtftP95));
        html.Append(".<div class=\"metric-def\">Metric: TTFT — ").Append(E(ttftDefinition)).Append(".</div></li>");

        // Long generations: the decode speed of one request decides how long a long answer takes.
        var generation = models.Where(m => m.TokensPerSecondP50 is not null)
            .OrderByDescending(m => m.TokensPerSecondP50).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
        if (generation.Count > 0)
        {
            var quickest = generation[0];
            html.Append("<li data-use=\"long-generation\"><strong>Long generations</strong> → ").Append(ModelCode(quickest))
                .Append(": highest output speed per request, <strong>").Append(TokensPerSecond(quickest.TokensPerSecondP50!.Value)).Append(" P50</strong>");
            if (quickest.TpotP50 is { } tpot) html.Append(" (TPOT P50 ").Append(Ms(tpot)).Append(')');
            html.Append(", about ").Append(Seconds(1000 / quickest.TokensPerSecondP50.Value)).Append(" per 1,000 output tokens");
            if (generation.Count > 1)
                html.Append("; next ").Append(ModelCode(generation[1])).Append(' ').Append(TokensPerSecond(generation[1].TokensPerSecondP50!.Value))
                    .Append(", about ").Append(Seconds(1000 / generation[1].TokensPerSecondP50!.Value)).Append(" per 1,000 tokens");
            html.Append(".<div class=\"metric-def\">Metric: output tokens/s per request — ").Append(E(speedDefinition)).Append("; TPOT — ").Append(E(tpotDefinition)).Append(".</div></li>");
        }

        // Bulk and batch work: speed bought per dollar, from the catalog's output price.
        var priced = generation.Select(m => (Model: m, Price: OutputPrice(m)))
            .Where(p => p.Price is > 0m).Select(p => (p.Model, Price: p.Price!.Value, Value: p.Model.TokensPerSecondP50!.Value / (double)p.Price!.Value))
            .OrderByDescending(p => p.Value).ThenBy(p => p.Model.Key, StringComparer.Ordinal).ToList();
        var unpriced = generation.Where(m => OutputPrice(m) is not > 0m).ToList();
        html.Append("<li data-use=\"bulk\"><strong>Bulk and batch work</strong> → ");
        if (priced.Count == 0)
            html.Append("<span class=\"muted\">not ranked: ").Append(content.Catalog is null ? "no model catalog was given" : "none of the measured models has an output price in the catalog").Append(".</span>");
        else
        {
            var best = priced[0];
            html.Append(ModelCode(best.Model)).Append(": most output speed per dollar, <strong>").Append(Rate(best.Value)).Append("</strong> = ")
                .Append(TokensPerSecond(best.Model.TokensPerSecondP50!.Value)).Append(" ÷ ").Append(Price(best.Price)).Append(" per 1M output tokens");
            if (priced.Count > 1)
                html.Append("; next ").Append(ModelCode(priced[1].Model)).Append(' ').Append(Rate(priced[1].Value)).Append(" (")
                    .Append(TokensPerSecond(priced[1].Model.TokensPerSecondP50!.Value)).Append(" ÷ ").Append(Price(priced[1].Price)).Append(')');
            html.Append('.');
        }
        if (unpriced.Count > 0 && priced.Count > 0)
            html.Append(" <span class=\"muted\">Not ranked (no output price in the catalog): ").Append(string.Join(", ", unpriced.Select(ModelCode))).Append(".</span>");
        html.Append("<div class=\"metric-def\">Metric: output tokens/s per dollar — the output tokens/s per request (P50) ÷ the catalog's output price in $ per 1M tokens; higher is more throughput for the money.</div></li>");
        WriteWorkloadCost(models);
        html.Append("</ul>\n");

        WriteComparison(figures, target, models, ttftDefinition, tpotDefinition, speedDefinition);
        html.Append("</div>\n");
    }

    private void WriteComparison(BenchmarkFigures figures, string target, IReadOnlyList<ModelFigures> models, string ttftDefinition, string tpotDefinition, string speedDefinition)
    {
        html.Append("<h4 id=\"").Append(anchors.Unique("comparison-" + Anchors.Slug(target))).Append("\">Provider comparison — ").Append(E(TargetTitle(target).ToLowerInvariant())).Append("</h4>")
            .Append("<div class=\"table-wrap\"><table class=\"grid comparison\"><thead><tr><th>Provider</th><th>Model</th><th class=\"num\">Runs · requests</th>")
            .Append("<th class=\"num\">TTFT P50</th><th class=\"num\">TTFT P95</th><th class=\"num\">TPOT P50</th><th class=\"num\">Output tok/s per request (P50)</th>")
            .Append("<th class=\"num\">Peak run throughput</th><th class=\"num\">Error rate</th><th class=\"num\">Cost of ").Append(E(Workload.ToString())).Append("</th></tr></thead><tbody>");
        var bestP50 = models.Min(m => m.TtftP50);
        var bestP95 = models.Min(m => m.TtftP95);
        var bestTpot = models.Where(m => m.TpotP50 is not null).Select(m => m.TpotP50).DefaultIfEmpty().Min();
        var bestSpeed = models.Where(m => m.TokensPerSecondP50 is not null).Select(m => m.TokensPerSecondP50).DefaultIfEmpty().Max();
        string Best(string text, bool best) => best && models.Count > 1 ? $"<strong>{text}</strong>" : text;
        foreach (var model in models.OrderBy(m => ProviderOrder(m.Provider)).ThenBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal))
        {
            html.Append("<tr data-provider=\"").Append(E(model.Provider)).Append("\"><th scope=\"row\">").Append(E(model.Provider)).Append("</th><td><code>").Append(E(model.Model)).Append("</code></td><td class=\"num\">")
                .Append(model.Runs.Count).Append(" · ").Append(model.Started.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td class=\"num\">")
                .Append(Best(Ms(model.TtftP50), model.TtftP50 == bestP50)).Append("</td><td class=\"num\">").Append(Best(Ms(model.TtftP95), model.TtftP95 == bestP95))
                .Append("</td><td class=\"num\">").Append(model.TpotP50 is { } tpot ? Best(Ms(tpot), tpot == bestTpot) : "—")
                .Append("</td><td class=\"num\">").Append(model.TokensPerSecondP50 is { } speed ? Best(TokensPerSecond(speed), speed == bestSpeed) : "—")
                .Append("</td><td class=\"num\">").Append(model.PeakThroughputRun is { RunTokensPerSecond: { } peak } run
                    ? $"{TokensPerSecond(peak)}{(run.Load is { } load ? $" <span class=\"muted small\">{E(load)}</span>" : "")}" : "—")
                .Append("</td><td class=\"num\">").Append(Percent(model.ErrorRate)).Append(" <span class=\"muted small\">").Append(model.Failed).Append('/').Append(model.Started).Append("</span>")
                .Append("</td><td class=\"num\">").Append(WorkloadCost(model) is { } cost ? Dollars(cost) : "—").Append("</td></tr>");
        }
        html.Append("</tbody></table></div>\n");
        var (notStreamed, rateLimited, noSuccess) = figures.Excluded(target);
        var runDefinition = Definition(models.SelectMany(m => m.Runs).Select(r => r.RunTokensPerSecondDefinition), "output tokens of successful requests ÷ measured wall time");
        html.Append("<dl class=\"metric-defs small\"><dt>TTFT</dt><dd>").Append(E(ttftDefinition)).Append("</dd><dt>TPOT</dt><dd>").Append(E(tpotDefinition))
            .Append("</dd><dt>Output tok/s per request</dt><dd>").Append(E(speedDefinition)).Append("</dd><dt>Peak run throughput</dt><dd>the highest ")
            .Append(E(runDefinition)).Append(" of any clean run, with its load</dd><dt>Error rate</dt><dd>failed ÷ started requests of the clean runs</dd><dt>Cost</dt><dd>the workload at the catalog's input and output prices; — when the catalog has no price</dd></dl>");
        if (notStreamed + rateLimited + noSuccess > 0)
            html.Append("<p class=\"muted small\">Left out of these figures: ")
                .Append(string.Join(", ", new[] { (notStreamed, "non-streamed (their first token is the whole answer)"), (rateLimited, "with rate-limit responses"), (noSuccess, "without a single success") }
                    .Where(x => x.Item1 > 0).Select(x => $"{x.Item1} run(s) {x.Item2}"))).Append(".</p>\n");
    }

    private CostWorkload Workload => content.Workload ?? CostWorkload.Default;

    /// <summary>What the stated workload costs on each measured model, cheapest first, each next to its time to first token.</summary>
    private void WriteWorkloadCost(IReadOnlyList<ModelFigures> models)
    {
        var priced = models.Select(m => (Model: m, Cost: WorkloadCost(m))).Where(p => p.Cost is not null)
            .Select(p => (p.Model, Cost: p.Cost!.Value)).OrderBy(p => p.Cost).ThenBy(p => p.Model.TtftP50).ThenBy(p => p.Model.Key, StringComparer.Ordinal).ToList();
        html.Append("<li data-use=\"workload-cost\"><strong>Cost of a workload</strong> (").Append(E(Workload.ToString())).Append(") → ");
        if (priced.Count == 0)
            html.Append("<span class=\"muted\">not priced: ").Append(content.Catalog is null ? "no model catalog was given" : "none of the measured models has both prices in the catalog").Append(".</span>");
        else
        {
            var cheapest = priced[0];
            html.Append(ModelCode(cheapest.Model)).Append(": cheapest, <strong>").Append(Dollars(cheapest.Cost)).Append("</strong> at TTFT P50 ").Append(Ms(cheapest.Model.TtftP50));
            var sooner = priced.Where(p => p.Model.TtftP50 < cheapest.Model.TtftP50).OrderBy(p => p.Model.TtftP50).FirstOrDefault();
            if (sooner.Model is not null)
                html.Append("; answering sooner costs more: ").Append(ModelCode(sooner.Model)).Append(' ').Append(Dollars(sooner.Cost)).Append(" at TTFT P50 ").Append(Ms(sooner.Model.TtftP50));
            if (priced.Count > 1)
                html.Append(". Every measured model: ").Append(string.Join(", ", priced.Select(p => $"{ModelCode(p.Model)} {Dollars(p.Cost)} · {Ms(p.Model.TtftP50)}")));
            html.Append('.');
        }
        var unpriced = models.Where(m => WorkloadCost(m) is null).ToList();
        if (unpriced.Count > 0 && priced.Count > 0)
            html.Append(" <span class=\"muted\">Not priced (a price missing in the catalog): ").Append(string.Join(", ", unpriced.Select(ModelCode))).Append(".</span>");
        html.Append("<div class=\"metric-def\">Metric: workload cost — requests × (prompt tokens × input price + answer tokens × output price) ÷ 1,000,000, at the catalog's prices in $ per 1M tokens; shown with the model's TTFT P50.</div></li>");
    }

    private decimal? WorkloadCost(ModelFigures model) =>
        CatalogRow(model) is { PriceInPer1M: { } input, PriceOutPer1M: { } output } ? Workload.CostAt(input, output) : null;

    private ModelCatalogRow? CatalogRow(ModelFigures model) =>
        content.Catalog?.FirstOrDefault(r => r.Provider.Equals(model.Provider, StringComparison.OrdinalIgnoreCase) && r.Id.Equals(model.Model, StringComparison.OrdinalIgnoreCase));

    /// <summary>"$0.041", "$0.0975", "$1,234.50": at least two decimals, no rounding of what the prices give.</summary>
    internal static string Dollars(decimal amount) => "$" + amount.ToString(amount == decimal.Round(amount, 2) ? "#,0.00" : "#,0.00####", CultureInfo.InvariantCulture);

    private decimal? OutputPrice(ModelFigures model) =>
        content.Catalog?.FirstOrDefault(r => r.Provider.Equals(model.Provider, StringComparison.OrdinalIgnoreCase) && r.Id.Equals(model.Model, StringComparison.OrdinalIgnoreCase))?.PriceOutPer1M;

    private static int ProviderOrder(string provider) => Array.IndexOf(ProviderTags, "@" + provider) is var i && i >= 0 ? i : ProviderTags.Length;

    private static string TargetTitle(string target) => target.ToLowerInvariant() switch
    {
        "simulated" => "Simulated target",
        "live" => "Live target",
        _ => $"Target “{target}”",
    };

    private static string RunsNote(ModelFigures model) =>
        $"; {model.Runs.Count} clean run{(model.Runs.Count == 1 ? "" : "s")}, {model.Started.ToString("N0", CultureInfo.InvariantCulture)} requests{(model.LoadRange is { } load ? $", {E(load)}" : "")}";

    private static string Definition(IEnumerable<string?> definitions, string fallback) =>
        definitions.FirstOrDefault(d => !string.IsNullOrWhiteSpace(d)) ?? fallback;

    private static string ModelCode(ModelFigures model) => $"<code>{E(model.Provider)} / {E(model.Model)}</code>";

    internal static string Ms(double value) => value.ToString(value >= 100 ? "N0" : value >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " ms";

    private static string Seconds(double value) => value.ToString(value >= 10 ? "N0" : "0.0", CultureInfo.InvariantCulture) + " s";

    internal static string TokensPerSecond(double value) => value.ToString(value >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture) + " tok/s";

    private static string Rate(double value) => value.ToString(value >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture) + " tok/s per $/1M";

    private static string Percent(double ratio) => (ratio * 100).ToString(ratio == 0 ? "0" : "0.0#", CultureInfo.InvariantCulture) + " %";

    // ---------------------------------------------------------------- fault matrix

    /// <summary>One row per fault, one column per provider × mode; each cell: as expected or not, the key reported and how long it took.</summary>
    private void WriteFaultMatrix()
    {
        if (content.FaultMatrix is not { } rows) return;
        var columns = rows.Select(r => (r.Provider, Mode: r.Mode ?? "—")).Distinct()
            .OrderBy(c => ProviderOrder(c.Provider)).ThenBy(c => c.Provider, StringComparer.Ordinal).ThenBy(c => c.Mode, StringComparer.Ordinal).ToList();
        var faults = rows.Select(r => r.Fault).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var passed = rows.Count(r => r.Passed);
        html.Append("<section class=\"chapter\" id=\"fault-matrix\"><h2>Fault matrix</h2>\n<p class=\"muted\">Each fault injected into each provider, streamed and not, and the error key the provider layer reported: <strong>")
            .Append(passed).Append(" of ").Append(rows.Count).Append(" as expected</strong>")
            .Append(passed < rows.Count ? $", <span class=\"st-failed\">{rows.Count - passed} not</span>" : "").Append(". A cell shows the key reported and the time until it was reported.</p>");
        if (rows.Count == 0)
        {
            html.Append("<p class=\"notice\">The fault matrix file holds no rows.</p></section>\n");
            return;
        }
        html.Append("<div class=\"table-wrap\"><table class=\"grid fault-matrix\"><thead><tr><th rowspan=\"2\" scope=\"col\">Fault</th>");
        foreach (var provider in columns.GroupBy(c => c.Provider))
            html.Append("<th colspan=\"").Append(provider.Count()).Append("\" scope=\"colgroup\" class=\"provider-head\">").Append(E(provider.Key)).Append("</th>");
        html.Append("</tr><tr>");
        foreach (var column in columns) html.Append("<th scope=\"col\">").Append(E(column.Mode)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var fault in faults)
        {
            html.Append("<tr data-fault=\"").Append(E(fault)).Append("\"><th scope=\"row\">").Append(E(fault)).Append("</th>");
            foreach (var (provider, mode) in columns)
            {
                var cells = rows.Where(r => r.Fault == fault && r.Provider == provider && (r.Mode ?? "—") == mode).ToList();
                if (cells.Count == 0)
                {
                    html.Append("<td class=\"fm-cell muted\">not tested</td>");
                    continue;
                }
                var ok = cells.All(c => c.Passed);
                html.Append("<td class=\"fm-cell st-").Append(ok ? "passed" : "failed").Append("\" data-provider=\"").Append(E(provider)).Append("\" data-mode=\"").Append(E(mode)).Append("\">");
                foreach (var cell in cells)
                {
                    var status = cell.Passed ? ResultStatus.Passed : ResultStatus.Failed;
                    html.Append("<div class=\"fm-result\">").Append(StatusDot(status, false)).Append("<span class=\"sr-only\">").Append(StatusText(status)).Append(": </span><code>")
                        .Append(E(cell.ActualKey ?? "(no error)")).Append("</code>");
                    if (cell.ElapsedMs is { } ms) html.Append(" <span class=\"muted small\">").Append(ms.ToString(ms >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture)).Append(" ms</span>");
                    if (!cell.Passed) html.Append(" <div class=\"small\">expected <code>").Append(E(cell.ExpectedKey)).Append("</code></div>");
                    html.Append("</div>");
                }
                html.Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody><tfoot><tr><th scope=\"row\">As expected</th>");
        foreach (var (provider, mode) in columns)
        {
            var cells = rows.Where(r => r.Provider == provider && (r.Mode ?? "—") == mode).ToList();
            html.Append("<td class=\"num\">").Append(cells.Count(c => c.Passed)).Append('/').Append(cells.Count).Append("</td>");
        }
        html.Append("</tr></tfoot></table></div></section>\n");
    }
}
