using System.Collections.Concurrent;
using System.Collections.Specialized;
using Gherkin;
using Gherkin.CucumberMessages;
using Gherkin.CucumberMessages.Pickles;
using Io.Cucumber.Messages.Types;

namespace ProviderSpecs.Runner.Discovery;

/// <summary>
/// Finds and parses the .feature files of a features folder at test discovery, so editing a feature needs no
/// recompile. A file that does not parse becomes a <see cref="FeatureSpec"/> carrying the error, never a
/// silently missing feature.
/// </summary>
public static class FeatureSuite
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<FeatureSpec>> Cache = new(StringComparer.Ordinal);

    /// <summary>Loads every .feature file under <paramref name="featuresDirectory"/> (cached per folder for the process).</summary>
    public static IReadOnlyList<FeatureSpec> Load(string featuresDirectory) =>
        Cache.GetOrAdd(Path.GetFullPath(featuresDirectory), LoadUncached);

    public static IReadOnlyList<FeatureSpec> LoadUncached(string featuresDirectory)
    {
        if (!Directory.Exists(featuresDirectory))
            throw new DirectoryNotFoundException(
                $"The features folder '{featuresDirectory}' does not exist. Create it, or point SPECS_FEATURES_DIR at the folder holding your .feature files.");

        return Directory.EnumerateFiles(featuresDirectory, "*.feature", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(featuresDirectory, path))
            .Order(StringComparer.Ordinal)
            .AsParallel().AsOrdered() // parsing dominates discovery; files are independent
            .Select(path => Parse(path, Path.GetRelativePath(featuresDirectory, path).Replace('\\', '/')))
            .ToList();
    }

    private static bool IsBuildOutput(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        return relative.Split('/').Any(part => part is "bin" or "obj");
    }

    /// <summary>Parses one feature file; <paramref name="relativePath"/> becomes the Cucumber message uri.</summary>
    public static FeatureSpec Parse(string filePath, string relativePath)
    {
        string text;
        try
        {
            text = File.ReadAllText(filePath);
        }
        catch (IOException e)
        {
            return Broken(filePath, relativePath, $"{relativePath}: the file could not be read ({e.Message}).");
        }

        Gherkin.Ast.GherkinDocument ast;
        try
        {
            ast = new Parser().Parse(new StringReader(text));
        }
        catch (CompositeParserException e)
        {
            return Broken(filePath, relativePath, DescribeParseErrors(relativePath, e.Errors));
        }
        catch (ParserException e)
        {
            return Broken(filePath, relativePath, DescribeParseErrors(relativePath, [e]));
        }

        if (ast.Feature is null)
            return Broken(filePath, relativePath, $"{relativePath}:1: the file has no 'Feature:' line, so it holds no scenarios. Add a Feature, or delete the file.");

        var ids = new GuidIdGenerator();
        var document = new AstMessagesConverter(ids).ConvertGherkinDocumentToEventArgs(ast, relativePath);
        var pickles = new PickleCompiler(ids).Compile(document);
        var source = new Source(relativePath, text, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN);

        var feature = document.Feature;
        var index = new AstIndex(document);
        var scenarios = pickles.Select((pickle, i) => index.ToScenario(pickle, i)).ToList();
        MakeNamesUnique(scenarios);

        return new FeatureSpec(filePath, relativePath, feature.Name, feature.Description?.Trim() ?? "", feature.Language,
            StripAt(feature.Tags.Select(t => t.Name)), source, document, scenarios, parseError: null);
    }

    private static string DescribeParseErrors(string relativePath, IEnumerable<ParserException> errors) =>
        "The feature file could not be parsed, so none of its scenarios ran. Fix it and run again:" + Environment.NewLine +
        string.Join(Environment.NewLine, errors.Select(e =>
            $"  {relativePath}:{e.Location?.Line ?? 0}: {StripLocationPrefix(e.Message)}"));

    // Gherkin prefixes its messages with "(line:column): "; the runner already names file and line.
    private static string StripLocationPrefix(string message) =>
        message.StartsWith('(') && message.IndexOf("): ", StringComparison.Ordinal) is var end and > 0 ? message[(end + 3)..] : message;

    private static FeatureSpec Broken(string filePath, string relativePath, string error) =>
        new(filePath, relativePath, Path.GetFileNameWithoutExtension(filePath), "", "en", [], null, null, [], error);

    private static void MakeNamesUnique(List<ScenarioSpec> scenarios)
    {
        foreach (var group in scenarios.GroupBy(s => s.TestName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var n = 1;
            foreach (var scenario in group)
                scenario.TestName = $"{scenario.TestName} #{n++}";
        }
    }

    internal static IReadOnlyList<string> StripAt(IEnumerable<string> tags) =>
        tags.Select(t => t.StartsWith('@') ? t[1..] : t).ToList();

    /// <summary>Lookups from the ids a pickle refers to back to the document's scenarios, rules, steps and example rows.</summary>
    private sealed class AstIndex
    {
        private readonly Feature _feature;
        private readonly Dictionary<string, (Scenario Scenario, Rule? Rule)> _scenarios = new();
        private readonly Dictionary<string, Step> _steps = new();
        private readonly Dictionary<string, (Examples Examples, TableRow Row)> _rows = new();

        public AstIndex(GherkinDocument document)
        {
            _feature = document.Feature;
            foreach (var child in _feature.Children)
            {
                if (child.Background is { } background) AddSteps(background.Steps);
                if (child.Scenario is { } scenario) AddScenario(scenario, null);
                if (child.Rule is { } rule)
                    foreach (var ruleChild in rule.Children)
                    {
                        if (ruleChild.Background is { } ruleBackground) AddSteps(ruleBackground.Steps);
                        if (ruleChild.Scenario is { } ruleScenario) AddScenario(ruleScenario, rule);
                    }
            }
        }

        private void AddScenario(Scenario scenario, Rule? rule)
        {
            _scenarios[scenario.Id] = (scenario, rule);
            AddSteps(scenario.Steps);
            foreach (var examples in scenario.Examples)
                foreach (var row in examples.TableBody)
                    _rows[row.Id] = (examples, row);
        }

        private void AddSteps(IEnumerable<Step> steps)
        {
            foreach (var step in steps) _steps[step.Id] = step;
        }

        public ScenarioSpec ToScenario(Pickle pickle, int pickleIndex)
        {
            var (scenario, rule) = _scenarios[pickle.AstNodeIds[0]];
            var ownTags = scenario.Tags.Select(t => t.Name).ToList();
            var arguments = new OrderedDictionary();
            var testName = pickle.Name;

            if (pickle.AstNodeIds.Count > 1 && _rows.TryGetValue(pickle.AstNodeIds[1], out var example))
            {
                ownTags.AddRange(example.Examples.Tags.Select(t => t.Name));
                var header = example.Examples.TableHeader.Cells.Select(c => c.Value).ToList();
                var values = example.Row.Cells.Select(c => c.Value).ToList();
                for (var i = 0; i < header.Count && i < values.Count; i++)
                    arguments[header[i]] = values[i];
                testName = $"{pickle.Name} › {string.Join(", ", header.Zip(values, (h, v) => $"{h}: {v}"))}";
            }

            var inherited = _feature.Tags.Select(t => t.Name).Concat(rule?.Tags.Select(t => t.Name) ?? []).ToList();
            var ruleSpec = rule is null ? null : new RuleSpec(rule.Name, rule.Description?.Trim() ?? "", StripAt(rule.Tags.Select(t => t.Name)));

            return new ScenarioSpec(null, pickle, pickleIndex, testName, scenario.Description?.Trim() ?? "",
                StripAt(ownTags.Distinct()), StripAt(inherited.Distinct()), ruleSpec, arguments, ToSteps(pickle));
        }

        private List<StepSpec> ToSteps(Pickle pickle)
        {
            var steps = new List<StepSpec>();
            var previous = StepKind.Given;
            foreach (var pickleStep in pickle.Steps)
            {
                var kind = pickleStep.Type switch
                {
                    PickleStepType.CONTEXT => StepKind.Given,
                    PickleStepType.ACTION => StepKind.When,
                    PickleStepType.OUTCOME => StepKind.Then,
                    _ => previous, // "* " steps take the kind of the step before them
                };
                previous = kind;
                var keyword = _steps.TryGetValue(pickleStep.AstNodeIds[0], out var astStep) ? astStep.Keyword : kind + " ";
                var table = pickleStep.Argument?.DataTable?.Rows
                    .Select(r => (IReadOnlyList<string>)r.Cells.Select(c => c.Value).ToList()).ToList();
                steps.Add(new StepSpec(kind, keyword, pickleStep.Text, pickleStep.Argument?.DocString?.Content, table));
            }
            return steps;
        }
    }
}
