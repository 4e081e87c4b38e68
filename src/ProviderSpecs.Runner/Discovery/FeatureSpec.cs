using Io.Cucumber.Messages.Types;

namespace ProviderSpecs.Runner.Discovery;

/// <summary>
/// One .feature file as the runner sees it: its Cucumber messages (source, document, pickles) and the
/// scenarios to run — or the parse error that replaces them.
/// </summary>
public sealed class FeatureSpec
{
    internal FeatureSpec(string filePath, string relativePath, string title, string description, string language,
        IReadOnlyList<string> tags, Source? source, GherkinDocument? document, IReadOnlyList<ScenarioSpec> scenarios,
        string? parseError)
    {
        FilePath = filePath;
        RelativePath = relativePath;
        Title = title;
        Description = description;
        Language = language;
        Tags = tags;
        Source = source;
        Document = document;
        Scenarios = scenarios;
        ParseError = parseError;
    }

    /// <summary>Absolute path of the .feature file.</summary>
    public string FilePath { get; }

    /// <summary>Path relative to the features folder, with forward slashes (the Cucumber message uri).</summary>
    public string RelativePath { get; }

    /// <summary>The folder the feature sits in, relative to the features folder ("" at the top): its domain area.</summary>
    public string Area => Path.GetDirectoryName(RelativePath)?.Replace('\\', '/') ?? "";

    public string Title { get; }
    public string Description { get; }
    public string Language { get; }

    /// <summary>Feature-level tags without the leading '@'.</summary>
    public IReadOnlyList<string> Tags { get; }

    public Source? Source { get; }
    public GherkinDocument? Document { get; }
    public IReadOnlyList<ScenarioSpec> Scenarios { get; }

    /// <summary>Set when the file could not be parsed: names the file and line, and says what was wrong.</summary>
    public string? ParseError { get; }

    public IEnumerable<Pickle> Pickles => Scenarios.Select(s => s.Pickle);

    public override string ToString() => RelativePath;
}
