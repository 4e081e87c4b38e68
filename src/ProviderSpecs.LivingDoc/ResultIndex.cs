namespace ProviderSpecs.LivingDoc;

/// <summary>The results of all runs, attached to the feature files they belong to.</summary>
internal sealed class ResultIndex
{
    private readonly Dictionary<string, List<(RunInfo Run, TestCaseResult Case)>> byFeature = new(StringComparer.Ordinal);

    public IReadOnlyList<RunInfo> Runs { get; }
    public int MatchedCount { get; }

    public ResultIndex(IReadOnlyList<RunResults> runs, IReadOnlyList<FeatureFile> features, List<LivingDocProblem> problems)
    {
        Runs = runs.Select(run => run.Run).ToList();
        var paths = features.Select(feature => feature.RelativePath).ToList();
        foreach (var run in runs)
        {
            var unmatched = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var result in run.Cases)
            {
                var feature = MatchFeature(result.Uri, paths);
                if (feature is null) { unmatched.Add(result.Uri); continue; }
                if (!byFeature.TryGetValue(feature, out var list)) byFeature[feature] = list = [];
                list.Add((run.Run, result));
                MatchedCount++;
            }
            foreach (var uri in unmatched)
                problems.Add(new(run.Run.SourceFile, $"Results for '{uri}' match no feature file under the features folder; they are left out. Was the feature renamed or deleted since the run?"));
        }
    }

    /// <summary>The run's uri is relative to that run's features folder: match the longest feature path that is a suffix of it (or vice versa).</summary>
    internal static string? MatchFeature(string uri, IReadOnlyList<string> featurePaths)
    {
        var normalized = uri.Replace('\\', '/').TrimStart('.', '/');
        if (featurePaths.Contains(normalized)) return normalized;
        return featurePaths.Where(path => normalized.EndsWith("/" + path, StringComparison.Ordinal)).MaxBy(path => path.Length)
            ?? featurePaths.Where(path => path.EndsWith("/" + normalized, StringComparison.Ordinal)).MinBy(path => path.Length);
    }

    public IEnumerable<(RunInfo Run, TestCaseResult Case)> ForFeature(string relativePath) =>
        byFeature.TryGetValue(relativePath, out var list) ? list : [];

    /// <summary>The results of one pickle in every run; a null row line selects every row of an outline.</summary>
    public IEnumerable<(RunInfo Run, TestCaseResult Case)> For(string relativePath, int scenarioLine, int? rowLine = null) =>
        ForFeature(relativePath).Where(r => r.Case.ScenarioLine == scenarioLine && (rowLine is null || r.Case.RowLine == rowLine));
}
