using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace ProviderSpecs.LivingDoc;

/// <summary>Builds the living documentation: one self-contained HTML file from the features, the results of any runs,
/// the benchmark reports, the data files and the guide chapters.</summary>
public static class LivingDocGenerator
{
    /// <summary>Writes the document. Never throws for bad input: every input it could not include is in <see cref="LivingDocResult.Problems"/>
    /// and in the document itself.</summary>
    public static LivingDocResult Generate(LivingDocOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<LivingDocProblem>();

        var featuresUsable = Directory.Exists(options.FeaturesDirectory);
        var features = featuresUsable ? FeatureCatalog.Load(options.FeaturesDirectory, problems) : [];
        if (!featuresUsable)
            problems.Add(new(options.FeaturesDirectory, "The features folder does not exist. Pass the folder that holds the .feature files (e.g. --features features)."));
        else if (features.Count == 0)
            problems.Add(new(options.FeaturesDirectory, "The features folder holds no .feature files, so there is nothing to document."));

        var runs = ReadRuns(options.RunFiles, problems);
        var results = new ResultIndex(runs, features, problems);
        var anchors = new Anchors(features);
        var featureByFullPath = features.ToDictionary(f => Path.GetFullPath(f.FullPath), f => anchors.Feature(f), StringComparer.Ordinal);
        var markdown = new MarkdownRenderer(new SnippetLibrary(options.SnippetSourceRoot), path => featureByFullPath.GetValueOrDefault(path), problems);
        string Render(string text, string sourcePath) => markdown.Render(text, sourcePath, Path.GetDirectoryName(Path.GetFullPath(sourcePath)));

        var guide = ReadGuide(options.GuideDirectory, anchors, markdown, problems);
        var glossaryPath = options.GlossaryPath ?? (featuresUsable ? Path.Combine(options.FeaturesDirectory, "_Glossary.md") : null);
        var glossary = glossaryPath is not null && File.Exists(glossaryPath)
            ? new Chapter(anchors.Unique("glossary"), "Glossary", Render(File.ReadAllText(glossaryPath), glossaryPath))
            : null;
        if (options.GlossaryPath is not null && glossary is null)
            problems.Add(new(options.GlossaryPath, "The glossary file does not exist."));

        var planPath = options.ValidationPlanPath ?? (featuresUsable ? Path.Combine(options.FeaturesDirectory, ValidationPlan.FileName) : null);
        ValidationPlan? plan = null;
        if (planPath is not null && File.Exists(planPath)) plan = ValidationPlan.Read(planPath, problems);
        else if (options.ValidationPlanPath is not null)
            problems.Add(new(options.ValidationPlanPath, "The validation plan does not exist; the validation report lists no plan items."));

        var catalog = ReadJsonArray<ModelCatalogRow>(options.CatalogPath, "the model catalog", "[{provider, id, kind, contextWindow, maxOutputTokens, priceInPer1M, priceOutPer1M, capabilities[]}]", problems);
        var catalogDrift = ReadJsonArray<CatalogDriftRow>(options.CatalogDriftPath, "the catalog drift", "[{provider, providerName, target, snapshotDate, snapshotSource, listedNotInSnapshot[], inSnapshotNotListed[], namedButNotListed[], checkedAt}]", problems);
        var faultMatrix = ReadJsonArray<FaultMatrixRow>(options.FaultMatrixPath, "the fault matrix", "[{fault, provider, mode, expectedKey, actualKey, passed, elapsedMs}]", problems);
        var benchmarks = ReadBenchmarks(options.BenchmarksDirectory, anchors, markdown, problems);
        // The measured figures behind the recommendations: read from the result files as data, not through the benchmark framework.
        var figures = options.BenchmarksDirectory is null ? null : BenchmarkFigures.Read(options.BenchmarksDirectory, problems);

        var content = new DocumentContent(options.Title, features, results, guide, glossary, catalog, faultMatrix, benchmarks, problems, figures, catalogDrift, plan, options.Workload);
        // The writer may still find problems (unresolved snippets in descriptions); it renders them because the list is shared.
        var writer = new HtmlDocumentWriter(content, Render, anchors);
        var page = writer.Write();
        if (options.SummaryPath is { } summaryPath)
        {
            try
            {
                File.AppendAllText(summaryPath, writer.SummaryMarkdown());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(new(summaryPath, $"The run summary could not be written: {e.Message}. Check that the file's folder exists and is writable."));
            }
        }

        var scenarioCount = features.Sum(f => f.Feature?.Children.Sum(c => c switch
        {
            Gherkin.Ast.Scenario => 1,
            Gherkin.Ast.Rule rule => rule.Children.OfType<Gherkin.Ast.Scenario>().Count(),
            _ => 0,
        }) ?? 0);
        var nothingUsable = !featuresUsable || features.Count == 0;
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(options.OutputPath));
            if (directory is not null) Directory.CreateDirectory(directory);
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(page);
            File.WriteAllBytes(options.OutputPath, bytes);
            return new LivingDocResult
            {
                OutputPath = Path.GetFullPath(options.OutputPath),
                FeatureCount = features.Count,
                ScenarioCount = scenarioCount,
                RunCount = runs.Count,
                ResultCount = results.MatchedCount,
                OutputBytes = bytes.LongLength,
                Problems = problems,
                ExitCode = nothingUsable ? 2 : 0,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new(options.OutputPath, $"The document could not be written: {e.Message}. Check that the folder is writable."));
            return new LivingDocResult { FeatureCount = features.Count, ScenarioCount = scenarioCount, RunCount = runs.Count, Problems = problems, ExitCode = 1 };
        }
    }

    private static List<RunResults> ReadRuns(IReadOnlyList<string> entries, List<LivingDocProblem> problems)
    {
        var files = new List<string>();
        foreach (var entry in entries)
        {
            if (Directory.Exists(entry))
                files.AddRange(Directory.EnumerateFiles(entry, "*.ndjson", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal));
            else if (File.Exists(entry))
                files.Add(entry);
            else
                problems.Add(new(entry, "The message stream does not exist; its results are not shown. Enable Reqnroll's 'message' formatter or correct the path."));
        }
        var runs = new List<RunResults>();
        foreach (var file in files.Distinct(StringComparer.Ordinal))
            if (MessageStreamReader.Read(file, $"r{runs.Count + 1}", problems) is { } run)
                runs.Add(run);
        return runs;
    }

    private static List<Chapter> ReadGuide(string? guideDirectory, Anchors anchors, MarkdownRenderer markdown, List<LivingDocProblem> problems)
    {
        IEnumerable<(string Name, string Text, string? BaseDirectory)> sources;
        if (guideDirectory is null)
            sources = Assets.Guide().Select(g => (g.Name, g.Text, (string?)null));
        else if (Directory.Exists(guideDirectory))
            sources = Directory.EnumerateFiles(guideDirectory, "*.md").Order(StringComparer.Ordinal)
                .Select(path => (Path.GetFileName(path), File.ReadAllText(path), (string?)guideDirectory));
        else
        {
            problems.Add(new(guideDirectory, "The guide folder does not exist; the guide chapters are left out."));
            return [];
        }
        return sources.Select(source =>
        {
            var name = Path.GetFileNameWithoutExtension(source.Name).TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-', '_');
            var title = source.Text.Split('\n').FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim() ?? name;
            return new Chapter(anchors.Unique("guide-" + Anchors.Slug(name)), title,
                markdown.Render(source.Text, guideDirectory is null ? $"guide/{source.Name}" : Path.Combine(guideDirectory, source.Name), source.BaseDirectory));
        }).ToList();
    }

    private static IReadOnlyList<T>? ReadJsonArray<T>(string? path, string what, string shape, List<LivingDocProblem> problems)
    {
        if (path is null) return null;
        if (!File.Exists(path))
        {
            problems.Add(new(path, $"The file for {what} does not exist; that chapter is left out."));
            return null;
        }
        try
        {
            var rows = JsonSerializer.Deserialize<List<T>>(File.ReadAllText(path), LivingDocJson.Options);
            if (rows is null) throw new JsonException("the file holds null");
            return rows;
        }
        catch (JsonException e)
        {
            problems.Add(new(path, $"The file for {what} is not a JSON array of the expected shape {shape}: {e.Message}"));
            return null;
        }
    }

    private static List<Chapter> ReadBenchmarks(string? directory, Anchors anchors, MarkdownRenderer markdown, List<LivingDocProblem> problems)
    {
        if (directory is null) return [];
        if (!Directory.Exists(directory))
        {
            problems.Add(new(directory, "The benchmarks folder does not exist, so no benchmark results or charts are shown. Run the benchmarks (they write their reports there) and generate again."));
            return [];
        }
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => (path, relative: Path.GetRelativePath(directory, path).Replace('\\', '/')))
            .OrderBy(f => f.relative, StringComparer.Ordinal).ToList();
        var reports = files.Where(f => f.relative.EndsWith(".md", StringComparison.OrdinalIgnoreCase)).ToList();
        var chapters = new List<Chapter>();
        var reportTexts = new List<string>();
        foreach (var (path, relative) in reports)
        {
            var text = File.ReadAllText(path);
            reportTexts.Add(text);
            chapters.Add(new Chapter(anchors.Unique("benchmark-" + Anchors.Slug(Path.ChangeExtension(relative, null))), relative, markdown.Render(text, path, Path.GetDirectoryName(path))));
        }
        // Charts that no report shows itself still belong in the document.
        var charts = files.Where(f => f.relative.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) || f.relative.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Where(f => !reportTexts.Any(t => t.Contains(Path.GetFileName(f.relative), StringComparison.Ordinal))).ToList();
        if (charts.Count > 0)
        {
            var gallery = new StringBuilder("<h3>Charts</h3><div class=\"charts\">");
            foreach (var (path, relative) in charts)
            {
                var chart = relative.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) ? InlineSvg(path, relative, problems) : $"<img alt=\"{HtmlDocumentWriter.E(relative)}\" src=\"{DataUri.For(path)}\">";
                if (chart is not null)
                    gallery.Append("<figure class=\"chart\">").Append(chart).Append("<figcaption>").Append(HtmlDocumentWriter.E(relative)).Append("</figcaption></figure>");
            }
            chapters.Add(new Chapter(anchors.Unique("benchmark-charts"), "charts", gallery.Append("</div>").ToString()));
        }
        if (chapters.Count == 0)
            problems.Add(new(directory, "The benchmarks folder holds no reports (*.md) or charts (*.svg, *.png)."));
        return chapters;
    }

    /// <summary>SVG markup inlined into the page, stripped of anything that could run or fetch.</summary>
    private static string? InlineSvg(string path, string relative, List<LivingDocProblem> problems)
    {
        try
        {
            using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
            var svg = XDocument.Load(reader).Root;
            if (svg is null || svg.Name.LocalName != "svg") throw new XmlException("the root element is not <svg>");
            svg.Descendants().Where(e => e.Name.LocalName is "script" or "foreignObject").ToList().ForEach(e => e.Remove());
            foreach (var element in svg.DescendantsAndSelf())
                element.Attributes()
                    .Where(a => a.Name.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase)
                                || (a.Name.LocalName == "href" && !a.Value.StartsWith('#') && !a.Value.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase)))
                    .ToList().ForEach(a => a.Remove());
            svg.SetAttributeValue("role", "img");
            svg.SetAttributeValue("aria-label", relative);
            return svg.ToString(SaveOptions.DisableFormatting);
        }
        catch (XmlException e)
        {
            problems.Add(new(relative, $"The chart is not well-formed SVG ({e.Message}) and is not shown."));
            return null;
        }
    }
}
