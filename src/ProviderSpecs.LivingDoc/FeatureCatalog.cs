using Gherkin;
using Gherkin.Ast;

namespace ProviderSpecs.LivingDoc;

/// <summary>A feature file as found on disk: parsed, or the parser's first error with its line.</summary>
internal sealed record FeatureFile(string RelativePath, string FullPath, GherkinDocument? Document, int? ErrorLine, string? Error)
{
    /// <summary>The domain area: the folder the file sits in, relative to the features folder ("" at the root).</summary>
    public string Area => Path.GetDirectoryName(RelativePath)?.Replace('\\', '/') ?? "";
    public Feature? Feature => Document?.Feature;
    public string Title => Feature?.Name is { Length: > 0 } name ? name : Path.GetFileNameWithoutExtension(RelativePath);
}

internal static class FeatureCatalog
{
    public static List<FeatureFile> Load(string featuresDirectory, List<LivingDocProblem> problems)
    {
        var files = Directory.EnumerateFiles(featuresDirectory, "*.feature", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(featuresDirectory, path)))
            .OrderBy(path => Path.GetRelativePath(featuresDirectory, path).Replace('\\', '/'), StringComparer.Ordinal)
            .ToList();
        var features = new List<FeatureFile>(files.Count);
        var parser = new Parser();
        foreach (var path in files)
        {
            var relative = Path.GetRelativePath(featuresDirectory, path).Replace('\\', '/');
            try
            {
                using var reader = new StreamReader(path);
                var document = parser.Parse(reader);
                if (document.Feature is null)
                {
                    problems.Add(new($"{relative}:1", "The file has no Feature: keyword, so it documents nothing. Add a 'Feature:' line or delete the file."));
                    features.Add(new(relative, path, null, 1, "no Feature: keyword"));
                    continue;
                }
                features.Add(new(relative, path, document, null, null));
            }
            catch (ParserException e)
            {
                var first = e is CompositeParserException composite ? composite.Errors.FirstOrDefault() ?? e : e;
                var line = first.Location?.Line ?? 1;
                var message = e is CompositeParserException many
                    ? string.Join("\n", many.Errors.Select(error => error.Message))
                    : e.Message;
                problems.Add(new($"{relative}:{line}", $"The feature does not parse: {message} Fix the Gherkin at that line."));
                features.Add(new(relative, path, null, line, message));
            }
            catch (IOException e)
            {
                problems.Add(new(relative, $"The feature could not be read: {e.Message}"));
                features.Add(new(relative, path, null, null, e.Message));
            }
        }
        return features;
    }

    internal static bool IsBuildOutput(string relativePath) =>
        relativePath.Replace('\\', '/').Split('/').Any(segment => segment is "bin" or "obj" or ".git" or "node_modules");
}
