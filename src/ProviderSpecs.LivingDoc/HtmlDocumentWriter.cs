using System.Globalization;
using System.Net;
using System.Text;
using Gherkin.Ast;

namespace ProviderSpecs.LivingDoc;

/// <summary>Everything the page shows, gathered by the generator.</summary>
internal sealed record DocumentContent(
    string Title,
    IReadOnlyList<FeatureFile> Features,
    ResultIndex Results,
    IReadOnlyList<Chapter> Guide,
    Chapter? Glossary,
    IReadOnlyList<ModelCatalogRow>? Catalog,
    IReadOnlyList<FaultMatrixRow>? FaultMatrix,
    IReadOnlyList<Chapter> Benchmarks,
    IReadOnlyList<LivingDocProblem> Problems,
    BenchmarkFigures? Figures = null,
    IReadOnlyList<CatalogDriftRow>? CatalogDrift = null,
    ValidationPlan? Plan = null,
    CostWorkload? Workload = null);

/// <summary>A chapter already rendered to HTML.</summary>
internal sealed record Chapter(string Anchor, string Title, string Html);

/// <summary>Writes the single self-contained HTML page. Every text from an input goes through <see cref="E"/>.</summary>
internal sealed partial class HtmlDocumentWriter(DocumentContent content, Func<string, string, string> renderMarkdown, Anchors anchors)
{
    internal static readonly string[] ProviderTags = ["@groq", "@together_ai"];
    internal static readonly (string Tag, string Name)[] Categories =
    [
        ("@functional_validation", "Functional"), ("@reliability_validation", "Reliability"),
        ("@integration_validation", "Integration"), ("@performance_benchmarks", "Performance"),
    ];
    private static readonly string[] AreaOrder = ["providers", "credentials", "catalog", "completions", "reliability", "integration", "performance"];

    private readonly StringBuilder html = new(256 * 1024);
    private readonly List<Test> tests = [];
    private IReadOnlyList<RunInfo> Runs => content.Results.Runs;
    private bool HasResults => Runs.Count > 0;

    /// <summary>One executable example: a scenario, or one row of an outline, with every tag it inherits.</summary>
    private sealed record Test(FeatureFile Feature, IReadOnlySet<string> Tags, IReadOnlyList<(RunInfo Run, TestCaseResult Case)> Results)
    {
        /// <summary>The scenario's name and, for an outline row, the row's cells.</summary>
        public string Name { get; init; } = "";
        public string Anchor { get; init; } = "";
        public ResultStatus Status => Combine(Results.Select(r => r.Case.Status));
    }

    public string Write()
    {
        // Features are rendered first so that the tree, counts and the validation report can use what they found.
        var featureHtml = RenderFeatures();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        // Nothing on this page may be fetched: forbid it outright, so a slip shows as a console error in the browser tests.
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
        html.Append("<title>").Append(E(content.Title)).Append("</title>\n<style>\n").Append(Assets.Read("living-doc.css")).Append("</style>\n</head>\n<body>\n");
        WriteHeader();
        html.Append("<div class=\"layout\">\n");
        WriteSidebar();
        html.Append("<main id=\"content\">\n");
        WriteOverview();
        WriteMeasuredRecommendations();
        foreach (var chapter in content.Guide) WriteChapter(chapter, "guide");
        html.Append("<section class=\"chapter\" id=\"features\"><h2>Features</h2>\n");
        html.Append("<p class=\"filter-summary\" id=\"filter-summary\" aria-live=\"polite\"></p>\n");
        html.Append(featureHtml);
        html.Append("</section>\n");
        WriteCatalog();
        WriteCatalogDrift();
        WriteFaultMatrix();
        WriteBenchmarks();
        if (content.Glossary is { } glossary) WriteChapter(glossary, "glossary");
        WriteProblems();
        html.Append("</main>\n</div>\n<script>\n").Append(Assets.Read("living-doc.js")).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    // ---------------------------------------------------------------- header, sidebar, overview

    private void WriteHeader()
    {
        var counts = Count(tests);
        html.Append("<header class=\"topbar\"><div class=\"brand\"><h1>").Append(E(content.Title)).Append("</h1>");
        html.Append("<p class=\"subtitle\">").Append(content.Features.Count).Append(" features · ")
            .Append(content.Features.Sum(f => ScenariosOf(f).Count())).Append(" scenarios · ").Append(tests.Count).Append(" examples");
        html.Append(HasResults ? $" · {Runs.Count} run{(Runs.Count == 1 ? "" : "s")}: " + string.Join(", ", Runs.Select(RunChip)) : " · documentation only (no test results given)");
        html.Append("</p></div>");
        if (HasResults) html.Append(CountBar(counts, large: true));
        html.Append("</header>\n");
    }

    private void WriteSidebar()
    {
        html.Append("<nav class=\"sidebar\" aria-label=\"Contents\">\n<div class=\"filters\">\n");
        html.Append("<label for=\"filter-text\" class=\"sr-only\">Filter</label><input id=\"filter-text\" type=\"search\" placeholder=\"Filter: text or @tag …\" autocomplete=\"off\">\n");
        html.Append("<div class=\"filter-row\"><label for=\"filter-status\">Status</label><select id=\"filter-status\">");
        foreach (var (value, label) in new[] { ("", "any"), ("failed", "failed"), ("not-passed", "not passed"), ("passed", "passed"), ("not-executed", "not executed") })
            html.Append("<option value=\"").Append(value).Append("\">").Append(label).Append("</option>");
        html.Append("</select><button type=\"button\" id=\"filter-clear\">Clear</button></div>\n<div class=\"tag-cloud\" aria-label=\"Tags\">");
        var allTags = tests.SelectMany(t => t.Tags).Distinct().Order(StringComparer.Ordinal);
        foreach (var tag in allTags)
            html.Append("<button type=\"button\" class=\"tag\" data-tag=\"").Append(E(tag)).Append("\">").Append(E(tag)).Append("</button>");
        html.Append("</div>\n</div>\n<ul class=\"toc\">\n<li><a href=\"#overview\">Overview &amp; validation</a></li>\n");
        if (content.Figures is not null) html.Append("<li><a href=\"#recommendations\">Recommendations &amp; comparison</a></li>\n");
        if (content.Guide.Count > 0)
        {
            html.Append("<li class=\"toc-group\"><span>Guide</span><ul>");
            foreach (var chapter in content.Guide) html.Append("<li><a href=\"#").Append(chapter.Anchor).Append("\">").Append(E(chapter.Title)).Append("</a></li>");
            html.Append("</ul></li>\n");
        }
        html.Append("<li class=\"toc-group\"><a href=\"#features\">Features</a><ul class=\"tree\" id=\"feature-tree\">\n");
        foreach (var area in Areas())
        {
            var areaTests = tests.Where(t => t.Feature.Area == area.Key).ToList();
            html.Append("<li class=\"area\" data-area=\"").Append(E(area.Key)).Append("\"><details open><summary><span class=\"area-name\">")
                .Append(E(area.Key.Length == 0 ? "(top level)" : area.Key)).Append("</span> <span class=\"count\">")
                .Append(area.Count()).Append(" · ").Append(areaTests.Count).Append("</span>");
            if (HasResults) html.Append(MiniCounts(Count(areaTests)));
            html.Append("</summary><ul>");
            foreach (var feature in area)
            {
                var featureTests = tests.Where(t => t.Feature == feature).ToList();
                html.Append("<li class=\"tree-feature\" data-feature=\"").Append(anchors.Feature(feature)).Append("\"><a href=\"#").Append(anchors.Feature(feature)).Append("\">")
                    .Append(feature.Document is null ? "<span class=\"st st-failed\" title=\"does not parse\">!</span> " : StatusDot(Combine(featureTests.Select(t => t.Status)), featureTests.Count == 0))
                    .Append(E(feature.Title)).Append("</a> <span class=\"count\">").Append(featureTests.Count).Append("</span></li>");
            }
            html.Append("</ul></details></li>\n");
        }
        html.Append("</ul></li>\n");
        if (content.Catalog is not null) html.Append("<li><a href=\"#model-catalog\">Model catalog</a></li>");
        if (content.CatalogDrift is not null) html.Append("<li><a href=\"#catalog-drift\">Catalog drift</a></li>");
        if (content.FaultMatrix is not null) html.Append("<li><a href=\"#fault-matrix\">Fault matrix</a></li>");
        if (content.Benchmarks.Count > 0) html.Append("<li><a href=\"#benchmarks\">Benchmarks</a></li>");
        if (content.Glossary is { } glossary) html.Append("<li><a href=\"#").Append(glossary.Anchor).Append("\">Glossary</a></li>");
        html.Append("<li><a href=\"#problems\">Not included").Append(content.Problems.Count > 0 ? $" <span class=\"badge warn\">{content.Problems.Count}</span>" : "").Append("</a></li>\n");
        html.Append("</ul>\n</nav>\n");
    }

    private IEnumerable<IGrouping<string, FeatureFile>> Areas() =>
        content.Features.GroupBy(f => f.Area)
            .OrderBy(g => Array.IndexOf(AreaOrder, g.Key) is var i && i >= 0 ? i : AreaOrder.Length)
            .ThenBy(g => g.Key, StringComparer.Ordinal);

    private void WriteOverview()
    {
        html.Append("<section class=\"chapter\" id=\"overview\"><h2>Overview</h2>\n");
        if (content.Problems.Count > 0)
            html.Append("<p class=\"notice warn\">").Append(content.Problems.Count).Append(" input(s) could not be included — see <a href=\"#problems\">what could not be included and why</a>.</p>\n");
        if (!HasResults)
            html.Append("<p class=\"notice\">Documentation only: no test results were given, so every scenario is shown as written and none as passed or failed.</p>\n");
        else
        {
            html.Append("<h3 id=\"runs\">Runs</h3><div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>Run</th><th>Target</th><th>Date</th><th>Versions</th><th>Live budget spent</th><th>Results</th></tr></thead><tbody>\n");
            foreach (var run in Runs)
            {
                var runTests = tests.Select(t => t.Results.Where(r => r.Run == run).Select(r => r.Case.Status).DefaultIfEmpty(ResultStatus.NotExecuted).Max()).ToList();
                html.Append("<tr><td>").Append(RunChip(run)).Append("<div class=\"muted small\">").Append(E(Path.GetFileName(run.SourceFile))).Append("</div></td><td>")
                    .Append(E(run.Target ?? "—")).Append("</td><td>").Append(run.Date is { } date ? E(date.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)) : "—")
                    .Append("</td><td>").Append(run.Versions.Count == 0 ? "—" : string.Join("<br>", run.Versions.Select(v => v.Value.StartsWith(v.Key, StringComparison.OrdinalIgnoreCase) ? $"<code>{E(v.Value)}</code>" : $"{E(v.Key)} <code>{E(v.Value)}</code>")))
                    .Append("</td><td>").Append(Budget(run)).Append("</td><td>").Append(CountBar(runTests.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count()), large: false))
                    .Append("</td></tr>\n");
            }
            html.Append("</tbody></table></div>\n");
            foreach (var run in Runs) WriteLiveRun(run);
        }
        WriteValidationReport();
        html.Append("</section>\n");
    }

    private static string Budget(RunInfo run)
    {
        var live = string.Equals(run.Target, "live", StringComparison.OrdinalIgnoreCase);
        if (run.LiveBudgetSpent is not { } budget)
            return live ? "<span class=\"muted\">not recorded</span>"
                : string.Equals(run.Target, "simulated", StringComparison.OrdinalIgnoreCase) ? "none <span class=\"muted small\">(simulated providers: no live requests)</span>" : "—";
        var parts = new List<string>();
        if (budget.Requests is { } requests) parts.Add($"{requests.ToString(CultureInfo.InvariantCulture)} requests");
        if (budget.Tokens is { } tokens) parts.Add($"{tokens.ToString("N0", CultureInfo.InvariantCulture)} tokens");
        if (budget.CostUsd is { } cost) parts.Add($"${cost.ToString("0.####", CultureInfo.InvariantCulture)}");
        var spent = parts.Count == 0 ? "—" : E(string.Join(" · ", parts));
        if (budget.PlannedRequests is { } plannedRequests)
            spent += $"<div class=\"muted small\">planned {plannedRequests.ToString("N0", CultureInfo.InvariantCulture)} requests · {(budget.PlannedTokens ?? 0).ToString("N0", CultureInfo.InvariantCulture)} tokens"
                     + (budget.MaxRequests is { } max ? $"; allowed {max.ToString("N0", CultureInfo.InvariantCulture)} · {(budget.MaxTokens ?? 0).ToString("N0", CultureInfo.InvariantCulture)}" : "")
                     + (budget.Refused is > 0 ? $"; <strong>{budget.Refused} refused</strong>" : "") + "</div>";
        return spent;
    }

    /// <summary>
    /// For a live run: what it planned and spent, the rate limits it met and paced under, and every scenario it skipped,
    /// grouped by reason — so a reader sees what was not validated live and why.
    /// </summary>
    private void WriteLiveRun(RunInfo run)
    {
        if (!string.Equals(run.Target, "live", StringComparison.OrdinalIgnoreCase)) return;
        var skipped = tests.SelectMany(t => t.Results.Where(r => r.Run == run && r.Case.Status == ResultStatus.Skipped).Select(r => (Test: t, r.Case)))
            .GroupBy(s => SkipReasonKey(s.Case.Message)).OrderByDescending(g => g.Count()).ToList();
        html.Append("<div class=\"live-run\" id=\"live-run-").Append(E(run.Id)).Append("\"><h3>Live run ").Append(RunChip(run)).Append(": plan, spend, limits and what was skipped</h3>\n");
        html.Append("<p>").Append(run.LiveBudgetSpent is { } budget ? Budget(run) : "<span class=\"muted\">No spend was recorded.</span>").Append("</p>\n");
        if (run.RateLimitsSeen.Count > 0)
        {
            html.Append("<p>Rate limits the providers announced, which the run paced itself under:</p><ul class=\"small\">");
            foreach (var limit in run.RateLimitsSeen) html.Append("<li>").Append(E(limit)).Append("</li>");
            html.Append("</ul>\n");
        }
        if (skipped.Count == 0)
        {
            html.Append("<p class=\"muted\">Nothing was skipped.</p></div>\n");
            return;
        }
        html.Append("<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>Skipped because</th><th>Scenarios</th></tr></thead><tbody>\n");
        foreach (var group in skipped)
        {
            html.Append("<tr><td>").Append(E(group.Key)).Append("</td><td>").Append(group.Count()).Append(" <details><summary class=\"small\">which</summary><ul class=\"small\">");
            foreach (var (test, _) in group.Take(200))
                html.Append("<li><a href=\"#").Append(test.Anchor).Append("\">").Append(E(test.Name)).Append("</a> <span class=\"muted\">").Append(E(test.Feature.Title)).Append("</span></li>");
            html.Append("</ul></details></td></tr>\n");
        }
        html.Append("</tbody></table></div></div>\n");
    }

    // Reasons that differ only in their figures (a model, a count) are one reason: group on the text before the first colon
    // when it is short, else on the whole first sentence.
    private static string SkipReasonKey(string? message)
    {
        if (string.IsNullOrWhiteSpace(message)) return "skipped (no reason was given)";
        var firstLine = message.Split('\n')[0].Trim();
        var colon = firstLine.IndexOf(": ", StringComparison.Ordinal);
        return colon is > 0 and < 40 ? firstLine[..colon] : firstLine.Length <= 200 ? firstLine : firstLine[..200] + "…";
    }

    private void WriteValidationReport()
    {
        html.Append("<h3 id=\"validation\">Validation report per provider</h3>\n<p class=\"muted\">Examples tagged with the provider and the category; ")
            .Append(HasResults ? "passed / executed per run, and how many are documented." : "documented examples (no results given).").Append("</p>\n");
        html.Append("<div class=\"table-wrap\"><table class=\"grid validation\"><thead><tr><th>Provider</th>");
        foreach (var (_, name) in Categories) html.Append("<th>").Append(name).Append("</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var provider in ProviderTags)
        {
            html.Append("<tr><th scope=\"row\"><button type=\"button\" class=\"tag\" data-tag=\"").Append(provider).Append("\">").Append(provider).Append("</button></th>");
            foreach (var (category, _) in Categories)
            {
                var cell = tests.Where(t => t.Tags.Contains(provider) && t.Tags.Contains(category)).ToList();
                html.Append("<td>");
                if (cell.Count == 0) html.Append("<span class=\"muted\">—</span>");
                foreach (var run in Runs)
                {
                    var statuses = cell.SelectMany(t => t.Results.Where(r => r.Run == run)).Select(r => r.Case.Status).ToList();
                    var passed = statuses.Count(s => s == ResultStatus.Passed);
                    var state = statuses.Count == 0 ? "not-executed" : passed == statuses.Count ? "passed" : statuses.Any(s => s is ResultStatus.Failed or ResultStatus.Ambiguous) ? "failed" : "pending";
                    if (cell.Count > 0)
                        html.Append("<div class=\"vcell st-").Append(state).Append("\"><span class=\"run-label\">").Append(E(run.Label)).Append("</span> <strong>")
                            .Append(passed).Append('/').Append(statuses.Count).Append("</strong></div>");
                }
                if (cell.Count > 0) html.Append("<div class=\"muted small\">").Append(cell.Count).Append(" documented</div>");
                html.Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table></div>\n");
        WriteValidationPlan();
    }

    /// <summary>The examples a plan item's selectors match.</summary>
    private List<Test> Covering(PlanItem item) => tests.Where(t => item.Covers(t.Tags, t.Feature.RelativePath, t.Name)).ToList();

    /// <summary>
    /// Each item of the validation plan with the examples that cover it and their result per run, so a reader sees what
    /// was validated and what was not: an item no example covers is shown as not covered.
    /// </summary>
    private void WriteValidationPlan()
    {
        if (content.Plan is not { } plan) return;
        var covered = plan.Items.Count(i => Covering(i).Count > 0);
        html.Append("<h3 id=\"validation-plan\">Validation plan</h3>\n<p class=\"muted\">The items the suite validates (<code>")
            .Append(E(Path.GetFileName(plan.Path))).Append("</code> beside the features), each with the scenarios that cover it")
            .Append(HasResults ? " and how they ended in each run" : "").Append(": <strong>").Append(covered).Append(" of ").Append(plan.Items.Count)
            .Append("</strong> items covered.</p>\n");
        html.Append("<div class=\"table-wrap\"><table class=\"grid validation-plan\"><thead><tr><th>Area</th><th>Item</th>");
        foreach (var run in Runs) html.Append("<th>").Append(E(run.Label)).Append("</th>");
        html.Append("<th>Scenarios</th></tr></thead><tbody>\n");
        foreach (var item in plan.Items)
        {
            var cover = Covering(item);
            html.Append("<tr class=\"plan-item\" data-covered=\"").Append(cover.Count > 0 ? "true" : "false").Append("\"><td>").Append(E(item.Area))
                .Append("</td><td>").Append(E(item.Item)).Append("</td>");
            foreach (var run in Runs)
            {
                var statuses = cover.Select(t => t.Results.Where(r => r.Run == run).Select(r => r.Case.Status).DefaultIfEmpty(ResultStatus.NotExecuted).Max()).ToList();
                var passed = statuses.Count(s => s == ResultStatus.Passed);
                var state = statuses.Count == 0 ? "not-executed" : StatusClass(Combine(statuses));
                html.Append("<td class=\"vcell st-").Append(state).Append("\" data-run=\"").Append(E(run.Label)).Append("\">")
                    .Append(statuses.Count == 0 ? "—" : $"<strong>{passed}/{statuses.Count}</strong> passed").Append("</td>");
            }
            html.Append("<td>");
            if (cover.Count == 0)
                html.Append("<span class=\"plan-uncovered\"><strong>not covered</strong>: no scenario matches ").Append(E(string.Join("; ", item.Selectors))).Append("</span>");
            else
            {
                html.Append("<details><summary>").Append(cover.Count).Append(cover.Count == 1 ? " example" : " examples").Append("</summary><table class=\"plan-scenarios\"><tbody>");
                foreach (var test in cover)
                {
                    html.Append("<tr><td><a href=\"#").Append(test.Anchor).Append("\">").Append(E(test.Name)).Append("</a> <span class=\"muted small\">")
                        .Append(E(test.Feature.Title)).Append("</span></td>");
                    foreach (var run in Runs)
                    {
                        var status = Combine(test.Results.Where(r => r.Run == run).Select(r => r.Case.Status));
                        html.Append("<td class=\"st-").Append(StatusClass(status)).Append("\" title=\"").Append(E(run.Label)).Append(": ").Append(StatusText(status)).Append("\">")
                            .Append(StatusIcon(status)).Append(' ').Append(E(run.Label)).Append("</td>");
                    }
                    html.Append("</tr>");
                }
                html.Append("</tbody></table></details>");
            }
            html.Append("</td></tr>\n");
        }
        html.Append("</tbody></table></div>\n");
    }

    // ---------------------------------------------------------------- features

    private string RenderFeatures()
    {
        var outer = new StringBuilder(256 * 1024);
        foreach (var area in Areas())
        {
            outer.Append("<div class=\"area-block\" data-area=\"").Append(E(area.Key)).Append("\"><h3 class=\"area-title\">")
                .Append(E(area.Key.Length == 0 ? "(top level)" : area.Key)).Append("</h3>\n");
            foreach (var feature in area) outer.Append(RenderFeature(feature));
            outer.Append("</div>\n");
        }
        return outer.ToString();
    }

    private string RenderFeature(FeatureFile file)
    {
        var sb = new StringBuilder();
        var anchor = anchors.Feature(file);
        if (file.Feature is not { } feature)
        {
            sb.Append("<section class=\"feature broken\" id=\"").Append(anchor).Append("\" data-tags=\"\" data-text=\"").Append(E(file.RelativePath.ToLowerInvariant()))
                .Append("\"><h4>").Append(E(file.RelativePath)).Append(" <a class=\"anchor\" href=\"#").Append(anchor).Append("\" aria-label=\"Link to this feature\">¶</a></h4>")
                .Append("<p class=\"notice error\">This feature could not be included: <strong>").Append(E(file.RelativePath)).Append(':').Append(file.ErrorLine ?? 1)
                .Append("</strong></p><pre class=\"error\">").Append(E(file.Error)).Append("</pre></section>\n");
            return sb.ToString();
        }
        var featureTags = Tags(feature.Tags);
        var before = tests.Count;
        var body = new StringBuilder();
        foreach (var child in feature.Children)
        {
            switch (child)
            {
                case Background background: body.Append(RenderBackground(file, background, anchor, null)); break;
                case Scenario scenario: body.Append(RenderScenario(file, scenario, featureTags, anchor)); break;
                case Rule rule: body.Append(RenderRule(file, rule, featureTags, anchor)); break;
            }
        }
        var featureTests = tests.Skip(before).ToList();
        sb.Append("<section class=\"feature\" id=\"").Append(anchor).Append("\" data-tags=\"").Append(E(string.Join(' ', featureTags))).Append("\">\n<header class=\"feature-head\">")
            .Append("<div class=\"path muted small\">").Append(E(file.RelativePath)).Append("</div><h4>").Append(StatusDot(Combine(featureTests.Select(t => t.Status)), featureTests.Count == 0))
            .Append("<span class=\"kw\">").Append(E(feature.Keyword)).Append(":</span> ").Append(E(feature.Name))
            .Append(" <a class=\"anchor\" href=\"#").Append(anchor).Append("\" aria-label=\"Link to this feature\">¶</a></h4>")
            .Append(TagList(feature.Tags));
        if (HasResults) sb.Append(CountBar(Count(featureTests), large: false));
        sb.Append("</header>\n").Append(Description(feature.Description, file)).Append(body).Append("</section>\n");
        return sb.ToString();
    }

    private string RenderRule(FeatureFile file, Rule rule, IReadOnlySet<string> featureTags, string featureAnchor)
    {
        var anchor = anchors.Unique($"{featureAnchor}--rule-{Anchors.Slug(rule.Name)}");
        var ruleTags = Union(featureTags, Tags(rule.Tags));
        var before = tests.Count;
        var body = new StringBuilder();
        foreach (var child in rule.Children)
        {
            if (child is Background background) body.Append(RenderBackground(file, background, anchor, rule));
            else if (child is Scenario scenario) body.Append(RenderScenario(file, scenario, ruleTags, anchor));
        }
        var ruleTests = tests.Skip(before).ToList();
        return new StringBuilder().Append("<section class=\"rule\" id=\"").Append(anchor).Append("\"><h5>").Append(StatusDot(Combine(ruleTests.Select(t => t.Status)), ruleTests.Count == 0))
            .Append("<span class=\"kw\">").Append(E(rule.Keyword)).Append(":</span> ").Append(E(rule.Name))
            .Append(" <a class=\"anchor\" href=\"#").Append(anchor).Append("\" aria-label=\"Link to this rule\">¶</a></h5>")
            .Append(TagList(rule.Tags)).Append(Description(rule.Description, file)).Append(body).Append("</section>\n").ToString();
    }

    private string RenderBackground(FeatureFile file, Background background, string parentAnchor, Rule? rule)
    {
        // A background step runs once per scenario of its feature or rule; show the worst outcome per run.
        var scope = rule is null
            ? content.Results.ForFeature(file.RelativePath).ToList()
            : content.Results.ForFeature(file.RelativePath).Where(r => RuleLines(rule).Contains(r.Case.ScenarioLine)).ToList();
        var sb = new StringBuilder();
        sb.Append("<div class=\"background\" id=\"").Append(anchors.Unique(parentAnchor + "--background")).Append("\"><div class=\"bg-title\"><span class=\"kw\">")
            .Append(E(background.Keyword)).Append(":</span> ").Append(E(background.Name)).Append("</div>").Append(Description(background.Description, file));
        sb.Append(Steps(background.Steps, scope));
        return sb.Append("</div>\n").ToString();
    }

    private static HashSet<int> RuleLines(Rule rule) => rule.Children.OfType<Scenario>().Select(s => s.Location.Line).ToHashSet();

    private string RenderScenario(FeatureFile file, Scenario scenario, IReadOnlySet<string> inherited, string parentAnchor)
    {
        var featureAnchor = anchors.Feature(file);
        var anchor = anchors.Unique($"{featureAnchor}--{Anchors.Slug(scenario.Name)}");
        var scenarioTags = Union(inherited, Tags(scenario.Tags));
        var examples = scenario.Examples.ToList();
        var results = content.Results.For(file.RelativePath, scenario.Location.Line).ToList();
        var exampleTags = new List<string>();
        if (examples.Count == 0)
            tests.Add(new Test(file, scenarioTags, results) { Name = scenario.Name, Anchor = anchor });
        else
            foreach (var block in examples)
            {
                var blockTags = Union(scenarioTags, Tags(block.Tags));
                exampleTags.AddRange(Tags(block.Tags));
                foreach (var row in block.TableBody)
                    tests.Add(new Test(file, blockTags, results.Where(r => r.Case.RowLine == row.Location.Line).ToList())
                    {
                        Name = $"{scenario.Name} ({string.Join(", ", row.Cells.Select(c => c.Value))})", Anchor = anchor,
                    });
            }
        var status = Combine(results.Select(r => r.Case.Status));
        var searchText = string.Join(' ', new[] { file.Title, scenario.Name }.Concat(scenario.Steps.Select(s => s.Text))).ToLowerInvariant();
        var sb = new StringBuilder();
        sb.Append("<details class=\"scenario st-").Append(StatusClass(status)).Append("\" id=\"").Append(anchor)
            .Append("\" data-tags=\"").Append(E(string.Join(' ', scenarioTags))).Append("\" data-status=\"").Append(StatusClass(status))
            .Append("\" data-text=\"").Append(E(searchText)).Append("\"><summary>").Append(StatusDot(status, false))
            .Append("<span class=\"kw\">").Append(E(scenario.Keyword)).Append(":</span> <span class=\"scenario-name\">").Append(E(scenario.Name)).Append("</span>")
            .Append(RunBadges(results, examples.Count > 0))
            .Append(" <a class=\"anchor\" href=\"#").Append(anchor).Append("\" aria-label=\"Link to this scenario\">¶</a>")
            .Append(TagList(scenario.Tags)).Append("</summary>\n<div class=\"scenario-body\">");
        sb.Append(Description(scenario.Description, file));
        sb.Append(Steps(scenario.Steps, results));
        foreach (var block in examples) sb.Append(RenderExamples(file, block, results, anchor));
        if (examples.Count == 0) sb.Append(Outcomes(results));
        sb.Append("</div></details>\n");
        return sb.ToString();
    }

    private string RenderExamples(FeatureFile file, Examples block, List<(RunInfo Run, TestCaseResult Case)> results, string scenarioAnchor)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"examples\" data-tags=\"").Append(E(string.Join(' ', Tags(block.Tags)))).Append("\"><div class=\"examples-title\"><span class=\"kw\">")
            .Append(E(block.Keyword)).Append(":</span> ").Append(E(block.Name)).Append(TagList(block.Tags)).Append("</div>").Append(Description(block.Description, file));
        if (block.TableHeader is null) return sb.Append("</div>").ToString();
        var columns = block.TableHeader.Cells.Count();
        sb.Append("<div class=\"table-wrap\"><table class=\"datatable examples-table\"><thead><tr>");
        if (HasResults) sb.Append("<th class=\"status-col\">Result</th>");
        foreach (var cell in block.TableHeader.Cells) sb.Append("<th>").Append(E(cell.Value)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in block.TableBody)
        {
            var rowResults = results.Where(r => r.Case.RowLine == row.Location.Line).ToList();
            var status = Combine(rowResults.Select(r => r.Case.Status));
            sb.Append("<tr class=\"st-").Append(StatusClass(status)).Append("\" id=\"").Append(anchors.Unique($"{scenarioAnchor}--line-{row.Location.Line}")).Append("\" data-status=\"").Append(StatusClass(status)).Append("\">");
            if (HasResults) sb.Append("<td class=\"status-col\">").Append(RunBadges(rowResults, false)).Append("</td>");
            foreach (var cell in row.Cells) sb.Append("<td>").Append(E(cell.Value)).Append("</td>");
            sb.Append("</tr>");
            var outcomes = Outcomes(rowResults);
            if (outcomes.Length > 0)
                sb.Append("<tr class=\"row-outcome\"><td colspan=\"").Append(columns + (HasResults ? 1 : 0)).Append("\">").Append(outcomes).Append("</td></tr>");
        }
        return sb.Append("</tbody></table></div></div>\n").ToString();
    }

    private string Steps(IEnumerable<Step> steps, IReadOnlyList<(RunInfo Run, TestCaseResult Case)> scope)
    {
        var sb = new StringBuilder("<ol class=\"steps\">");
        foreach (var step in steps)
        {
            var perRun = Runs.Select(run => (Run: run, Results: scope.Where(r => r.Run == run && r.Case.Steps.ContainsKey(step.Location.Line))
                .Select(r => r.Case.Steps[step.Location.Line]).ToList())).ToList();
            var status = Combine(perRun.SelectMany(p => p.Results).Select(r => r.Status));
            sb.Append("<li class=\"step st-").Append(StatusClass(status)).Append("\" data-status=\"").Append(StatusClass(status)).Append("\">");
            if (HasResults)
            {
                sb.Append("<span class=\"step-runs\">");
                foreach (var (run, results) in perRun)
                {
                    var runStatus = Combine(results.Select(r => r.Status));
                    sb.Append("<span class=\"st st-").Append(StatusClass(runStatus)).Append("\" title=\"").Append(E(run.Label)).Append(": ").Append(StatusText(runStatus)).Append("\">")
                        .Append(StatusIcon(runStatus)).Append("</span>");
                }
                sb.Append("</span>");
            }
            sb.Append("<span class=\"kw\">").Append(E(step.Keyword.Trim())).Append("</span> ").Append(E(step.Text));
            switch (step.Argument)
            {
                case DataTable table: sb.Append(DataTableHtml(table)); break;
                case DocString doc:
                    sb.Append("<pre class=\"docstring\">");
                    if (!string.IsNullOrEmpty(doc.ContentType)) sb.Append("<span class=\"media-type\">").Append(E(doc.ContentType)).Append("</span>\n");
                    sb.Append(E(doc.Content)).Append("</pre>");
                    break;
            }
            sb.Append("</li>");
        }
        return sb.Append("</ol>\n").ToString();
    }

    private static string DataTableHtml(DataTable table)
    {
        var sb = new StringBuilder("<div class=\"table-wrap\"><table class=\"datatable\">");
        var first = true;
        foreach (var row in table.Rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row.Cells) sb.Append(first ? "<th>" : "<td>").Append(E(cell.Value)).Append(first ? "</th>" : "</td>");
            sb.Append("</tr>");
            first = false;
        }
        return sb.Append("</table></div>").ToString();
    }

    /// <summary>Per run: the message explaining a non-passed status, then output and attachments.</summary>
    private string Outcomes(IReadOnlyList<(RunInfo Run, TestCaseResult Case)> results)
    {
        var sb = new StringBuilder();
        foreach (var (run, result) in results)
        {
            var message = result.Message;
            var showMessage = result.Status != ResultStatus.Passed;
            if (!showMessage && result.Attachments.Count == 0) continue;
            sb.Append("<div class=\"outcome st-").Append(StatusClass(result.Status)).Append("\"><div class=\"outcome-head\">").Append(RunChip(run)).Append(' ')
                .Append(StatusText(result.Status)).Append(" <span class=\"muted small\">").Append(result.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)).Append(" ms</span></div>");
            if (showMessage)
                sb.Append("<pre class=\"error-message\">").Append(E(message ?? (result.Status == ResultStatus.Skipped ? "skipped (no reason was given)" : $"{StatusText(result.Status)} (no message was given)"))).Append("</pre>");
            foreach (var attachment in result.Attachments) sb.Append(AttachmentHtml(attachment));
            sb.Append("</div>");
        }
        return sb.ToString();
    }

    private const int MaxTextAttachment = 20_000;

    private static string AttachmentHtml(Attachment attachment)
    {
        var label = attachment.MediaType.Contains("cucumber.log", StringComparison.Ordinal) ? "Output" : attachment.FileName ?? attachment.MediaType;
        if (attachment.MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = attachment.IsBase64 ? TryBase64(attachment.Body) : Encoding.UTF8.GetBytes(attachment.Body);
            return bytes is null
                ? $"<div class=\"attachment\"><span class=\"muted\">{E(label)}: the image is not valid base64 and is not shown.</span></div>"
                : $"<figure class=\"attachment\"><img alt=\"{E(label)}\" src=\"{DataUri.For(attachment.MediaType, bytes)}\"><figcaption>{E(label)}</figcaption></figure>";
        }
        if (attachment.MediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || attachment.MediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
            || attachment.MediaType.Contains("xml", StringComparison.OrdinalIgnoreCase))
        {
            var text = attachment.IsBase64 ? TryBase64(attachment.Body) is { } b ? Encoding.UTF8.GetString(b) : "(not valid base64)" : attachment.Body;
            var cut = text.Length > MaxTextAttachment ? text[..MaxTextAttachment] + $"\n… ({text.Length - MaxTextAttachment} more characters not shown)" : text;
            return $"<div class=\"attachment\"><div class=\"attachment-label\">{E(label)}</div><pre>{E(cut)}</pre></div>";
        }
        return $"<div class=\"attachment\"><span class=\"muted\">{E(label)} ({E(attachment.MediaType)}, {attachment.Body.Length} characters) is not shown: only text and images are.</span></div>";
    }

    private static byte[]? TryBase64(string body)
    {
        try { return Convert.FromBase64String(body); }
        catch (FormatException) { return null; }
    }

    private string Description(string? description, FeatureFile file)
    {
        if (string.IsNullOrWhiteSpace(description)) return "";
        return "<div class=\"description markdown\">" + renderMarkdown(Dedent(description), file.FullPath) + "</div>";
    }

    private static string Dedent(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    // ---------------------------------------------------------------- catalog, fault matrix, benchmarks, chapters, problems

    private void WriteCatalog()
    {
        if (content.Catalog is not { } rows) return;
        html.Append("<section class=\"chapter\" id=\"model-catalog\"><h2>Model catalog</h2>\n");
        foreach (var provider in rows.GroupBy(r => r.Provider).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            html.Append("<h3 id=\"").Append(anchors.Unique("catalog-" + Anchors.Slug(provider.Key))).Append("\">").Append(E(provider.Key)).Append("</h3>")
                .Append("<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>Model</th><th>Kind</th><th class=\"num\">Context window</th><th class=\"num\">Max output</th><th class=\"num\">$ in / 1M</th><th class=\"num\">$ out / 1M</th><th>Capabilities</th></tr></thead><tbody>");
            foreach (var row in provider.OrderBy(r => r.Id, StringComparer.Ordinal))
                html.Append("<tr><td><code>").Append(E(row.Id)).Append("</code></td><td>").Append(E(row.Kind ?? "—")).Append("</td><td class=\"num\">").Append(Number(row.ContextWindow))
                    .Append("</td><td class=\"num\">").Append(Number(row.MaxOutputTokens)).Append("</td><td class=\"num\">").Append(Price(row.PriceInPer1M)).Append("</td><td class=\"num\">")
                    .Append(Price(row.PriceOutPer1M)).Append("</td><td>").Append(string.Join(' ', (row.Capabilities ?? []).Order(StringComparer.Ordinal).Select(c => $"<span class=\"cap\">{E(c)}</span>"))).Append("</td></tr>");
            html.Append("</tbody></table></div>\n");
        }
        WriteRecommendations(rows);
        html.Append("</section>\n");
    }

    /// <summary>What follows from the catalog alone: per provider, the cheapest chat model and the one with the largest context.</summary>
    private void WriteRecommendations(IReadOnlyList<ModelCatalogRow> rows)
    {
        var chat = rows.Where(r => r.Kind is null || r.Kind.Equals("chat", StringComparison.OrdinalIgnoreCase)).ToList();
        if (chat.Count == 0) return;
        html.Append("<h3 id=\"catalog-recommendations\">What the catalog figures suggest</h3>");
        if (content.Figures is not null)
            html.Append("<p class=\"muted\">From prices and context windows only; the <a href=\"#recommendations\">recommendations from the measured figures</a> weigh speed too.</p>");
        html.Append("<ul class=\"recommendations\">");
        foreach (var provider in chat.GroupBy(r => r.Provider).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var priced = provider.Where(r => r.PriceInPer1M is not null && r.PriceOutPer1M is not null).ToList();
            if (priced.Count > 0)
            {
                var cheapest = priced.OrderBy(r => r.PriceInPer1M + r.PriceOutPer1M).ThenBy(r => r.Id, StringComparer.Ordinal).First();
                html.Append("<li><strong>").Append(E(provider.Key)).Append("</strong> — lowest cost per token: <code>").Append(E(cheapest.Id)).Append("</code> (")
                    .Append(Price(cheapest.PriceInPer1M)).Append(" in / ").Append(Price(cheapest.PriceOutPer1M)).Append(" out per 1M tokens): high-volume, simple prompts.</li>");
            }
            var largest = provider.Where(r => r.ContextWindow is not null).OrderByDescending(r => r.ContextWindow).ThenBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault();
            if (largest is not null)
                html.Append("<li><strong>").Append(E(provider.Key)).Append("</strong> — largest context: <code>").Append(E(largest.Id)).Append("</code> (")
                    .Append(Number(largest.ContextWindow)).Append(" tokens): long documents and conversations.</li>");
        }
        html.Append("</ul>\n");
    }

    /// <summary>
    /// Per provider, how the models it listed differ from the bundled metadata snapshot, with the snapshot's date: what
    /// is new or never covered, what was retired, and which scenarios name a model no longer listed.
    /// </summary>
    private void WriteCatalogDrift()
    {
        if (content.CatalogDrift is not { } rows) return;
        html.Append("<section class=\"chapter\" id=\"catalog-drift\"><h2>Catalog drift</h2>\n<p class=\"muted\">What each provider listed when the run read its catalog, ")
            .Append("compared with the model metadata snapshot bundled with the provider layer (<code>fixtures/metadata/models-snapshot.json</code>). ")
            .Append("Providers add and retire models every month. A model listed but not in the snapshot gets only the facts the provider states itself; ")
            .Append("a model of the snapshot no longer listed was retired or renamed; a scenario naming a model no longer listed fails with that finding ")
            .Append("until its model is replaced (see <em>Scenario models</em> in the glossary).</p>\n");
        if (rows.Count == 0) html.Append("<p class=\"notice\">The catalog drift file holds no providers.</p>");
        foreach (var row in rows.OrderBy(r => ProviderOrder(r.Provider)).ThenBy(r => r.Provider, StringComparer.Ordinal))
        {
            var name = row.ProviderName ?? row.Provider;
            var snapshot = row.SnapshotDate is { } date ? $"the snapshot of {date}" : "the snapshot";
            html.Append("<article class=\"drift\" data-provider=\"").Append(E(row.Provider)).Append("\"><h3 id=\"").Append(anchors.Unique("drift-" + Anchors.Slug(row.Provider))).Append("\">")
                .Append(E(name)).Append("</h3><p class=\"muted small\">Read on the ").Append(E(row.Target ?? "unknown")).Append(" target")
                .Append(row.CheckedAt is { } at ? " on " + E(at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)) + " UTC" : "")
                .Append(", compared with ").Append(E(snapshot)).Append(row.SnapshotSource is { } source ? $" ({E(source)})" : "").Append(".</p>");
            var lists = new (string Key, string Title, IReadOnlyList<string>? Ids)[]
            {
                ("named-not-listed", $"Named in scenarios, not listed by {name}: update these scenarios", row.NamedButNotListed),
                ("in-snapshot-not-listed", $"In {snapshot}, no longer listed by {name}", row.InSnapshotNotListed),
                ("listed-not-in-snapshot", $"Listed by {name}, not in {snapshot}", row.ListedNotInSnapshot),
            };
            if (lists.All(l => (l.Ids ?? []).Count == 0))
            {
                html.Append("<p class=\"drift-none\">No drift: every model ").Append(E(name)).Append(" listed is in ").Append(E(snapshot))
                    .Append(", and every model of the snapshot is listed.</p></article>\n");
                continue;
            }
            foreach (var (key, title, ids) in lists.Where(l => (l.Ids ?? []).Count > 0))
            {
                html.Append("<details class=\"drift-list\" data-drift=\"").Append(key).Append('"').Append(ids!.Count <= 12 ? " open" : "").Append("><summary>")
                    .Append(E(title)).Append(" <span class=\"count\">").Append(ids.Count).Append("</span></summary><ul>");
                foreach (var id in ids.Order(StringComparer.Ordinal)) html.Append("<li><code>").Append(E(id)).Append("</code></li>");
                html.Append("</ul></details>");
            }
            html.Append("</article>\n");
        }
        html.Append("</section>\n");
    }

    internal static string Number(int? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";
    internal static string Price(decimal? value) => value is { } v ? "$" + v.ToString("0.00##", CultureInfo.InvariantCulture) : "—";

    private void WriteBenchmarks()
    {
        if (content.Benchmarks.Count == 0) return;
        html.Append("<section class=\"chapter\" id=\"benchmarks\"><h2>Benchmarks</h2>\n");
        foreach (var report in content.Benchmarks)
            html.Append("<article class=\"benchmark markdown\" id=\"").Append(report.Anchor).Append("\"><div class=\"muted small\">").Append(E(report.Title)).Append("</div>").Append(report.Html).Append("</article>\n");
        html.Append("</section>\n");
    }

    private void WriteChapter(Chapter chapter, string kind) =>
        html.Append("<section class=\"chapter ").Append(kind).Append(" markdown\" id=\"").Append(chapter.Anchor).Append("\">").Append(chapter.Html).Append("</section>\n");

    private void WriteProblems()
    {
        html.Append("<section class=\"chapter\" id=\"problems\"><h2>What could not be included and why</h2>\n");
        if (content.Problems.Count == 0) html.Append("<p class=\"muted\">Every input was included.</p>");
        else
        {
            html.Append("<div class=\"table-wrap\"><table class=\"grid problems\"><thead><tr><th>Input</th><th>Why</th></tr></thead><tbody>");
            foreach (var problem in content.Problems)
                html.Append("<tr><td><code>").Append(E(problem.Input)).Append("</code></td><td>").Append(E(problem.Reason)).Append("</td></tr>");
            html.Append("</tbody></table></div>");
        }
        html.Append("</section>\n");
    }

    // ---------------------------------------------------------------- small pieces

    private IEnumerable<Scenario> ScenariosOf(FeatureFile file) =>
        file.Feature?.Children.SelectMany(c => c switch
        {
            Scenario s => [s],
            Rule r => r.Children.OfType<Scenario>(),
            _ => [],
        }) ?? [];

    private string RunBadges(IReadOnlyList<(RunInfo Run, TestCaseResult Case)> results, bool isOutline)
    {
        if (!HasResults) return "";
        var sb = new StringBuilder("<span class=\"runs\">");
        foreach (var run in Runs)
        {
            var statuses = results.Where(r => r.Run == run).Select(r => r.Case.Status).ToList();
            var status = Combine(statuses);
            var detail = isOutline && statuses.Count > 0 ? $" {statuses.Count(s => s == ResultStatus.Passed)}/{statuses.Count}" : "";
            sb.Append("<span class=\"run-badge st-").Append(StatusClass(status)).Append("\" title=\"").Append(E(run.Label)).Append(": ").Append(StatusText(status)).Append("\">")
                .Append(StatusIcon(status)).Append(' ').Append(E(run.Label)).Append(detail).Append("</span>");
        }
        return sb.Append("</span>").ToString();
    }

    private static string RunChip(RunInfo run) =>
        $"<span class=\"run-chip\" title=\"{E(Path.GetFileName(run.SourceFile))}\">{E(run.Label)}{(run.Target is { } t && !run.Label.Contains(t, StringComparison.OrdinalIgnoreCase) ? $" <span class=\"muted\">({E(t)})</span>" : "")}</span>";

    private static string TagList(IEnumerable<Tag> tags)
    {
        var list = tags.Select(t => t.Name).ToList();
        return list.Count == 0 ? "" : "<span class=\"tags\">" + string.Concat(list.Select(t => $"<button type=\"button\" class=\"tag\" data-tag=\"{E(t)}\">{E(t)}</button>")) + "</span>";
    }

    private static IReadOnlySet<string> Tags(IEnumerable<Tag> tags) => tags.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    private static IReadOnlySet<string> Union(IReadOnlySet<string> a, IReadOnlySet<string> b)
    {
        var set = new SortedSet<string>(a, StringComparer.Ordinal);
        set.UnionWith(b);
        return set;
    }

    private static Dictionary<ResultStatus, int> Count(IEnumerable<Test> list) =>
        list.GroupBy(t => t.Status).ToDictionary(g => g.Key, g => g.Count());

    private static string CountBar(Dictionary<ResultStatus, int> counts, bool large)
    {
        var total = counts.Values.Sum();
        if (total == 0) return "";
        var sb = new StringBuilder("<div class=\"countbar").Append(large ? " large" : "").Append("\"><div class=\"bar\" role=\"img\" aria-label=\"")
            .Append(string.Join(", ", Enum.GetValues<ResultStatus>().Reverse().Where(counts.ContainsKey).Select(s => $"{counts[s]} {StatusText(s)}"))).Append("\">");
        foreach (var status in Enum.GetValues<ResultStatus>().Reverse().Where(counts.ContainsKey))
            sb.Append("<span class=\"seg st-").Append(StatusClass(status)).Append("\" style=\"flex-grow:").Append(counts[status]).Append("\"></span>");
        sb.Append("</div><div class=\"legend\">");
        foreach (var status in Enum.GetValues<ResultStatus>().Reverse().Where(counts.ContainsKey))
            sb.Append("<span class=\"st-").Append(StatusClass(status)).Append("\"><span class=\"st st-").Append(StatusClass(status)).Append("\">").Append(StatusIcon(status)).Append("</span>")
                .Append(counts[status]).Append(' ').Append(StatusText(status)).Append("</span>");
        return sb.Append("</div></div>").ToString();
    }

    private static string MiniCounts(Dictionary<ResultStatus, int> counts)
    {
        var failed = counts.GetValueOrDefault(ResultStatus.Failed) + counts.GetValueOrDefault(ResultStatus.Ambiguous);
        return failed > 0 ? $" <span class=\"badge fail\" title=\"{failed} failed\">{failed}</span>" : "";
    }

    private string StatusDot(ResultStatus status, bool empty) =>
        !HasResults || empty ? "<span class=\"st st-none\" aria-hidden=\"true\">•</span>"
            : $"<span class=\"st st-{StatusClass(status)}\" title=\"{StatusText(status)}\">{StatusIcon(status)}</span>";

    internal static ResultStatus Combine(IEnumerable<ResultStatus> statuses) => statuses.DefaultIfEmpty(ResultStatus.NotExecuted).Max();

    internal static string StatusClass(ResultStatus status) => status switch
    {
        ResultStatus.NotExecuted => "not-executed",
        _ => status.ToString().ToLowerInvariant(),
    };

    internal static string StatusText(ResultStatus status) => status == ResultStatus.NotExecuted ? "not executed" : status.ToString().ToLowerInvariant();

    private static string StatusIcon(ResultStatus status) => status switch
    {
        ResultStatus.Passed => "✓",
        ResultStatus.Failed => "✗",
        ResultStatus.Pending => "…",
        ResultStatus.Undefined => "?",
        ResultStatus.Skipped => "↷",
        ResultStatus.Ambiguous => "⁇",
        _ => "○",
    };

    internal static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}

/// <summary>Stable, unique element ids: derived from paths and names, never from positions that shift with edits.</summary>
internal sealed class Anchors
{
    private readonly HashSet<string> used = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> features = new(StringComparer.Ordinal);

    public Anchors(IEnumerable<FeatureFile> files)
    {
        foreach (var file in files)
            features[file.RelativePath] = Unique("f-" + Slug(Path.ChangeExtension(file.RelativePath, null)));
    }

    public string Feature(FeatureFile file) => features[file.RelativePath];

    public string? FeatureByPath(string relativePath) => features.GetValueOrDefault(relativePath);

    public string Unique(string candidate)
    {
        var id = candidate;
        for (var n = 2; !used.Add(id); n++) id = $"{candidate}-{n}";
        return id;
    }

    public static string Slug(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length == 0 ? "x" : slug;
    }
}

internal static class Assets
{
    public static string Read(string name)
    {
        using var stream = typeof(Assets).Assembly.GetManifestResourceStream("Assets/" + name)
            ?? throw new InvalidOperationException($"The embedded asset '{name}' is missing from the assembly; rebuild ProviderSpecs.LivingDoc.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static IEnumerable<(string Name, string Text)> Guide()
    {
        var assembly = typeof(Assets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Guide/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (name["Guide/".Length..], reader.ReadToEnd());
        }
    }
}
