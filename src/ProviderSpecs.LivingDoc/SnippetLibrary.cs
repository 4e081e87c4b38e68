using System.Text.RegularExpressions;

namespace ProviderSpecs.LivingDoc;

/// <summary>A region of compiled source between <c>// begin-snippet: name</c> and <c>// end-snippet</c>.</summary>
internal sealed record Snippet(string Name, string RelativePath, int FirstLine, int LastLine, string Code);

/// <summary>Finds snippet regions in the .cs files under a source root, so guide code comes from compiled, tested sources.</summary>
internal sealed partial class SnippetLibrary(string? sourceRoot)
{
    private Dictionary<string, Snippet>? snippets;
    private readonly List<LivingDocProblem> scanProblems = [];

    public Snippet? Find(string name, List<LivingDocProblem> problems)
    {
        if (snippets is null)
        {
            snippets = Scan();
            problems.AddRange(scanProblems);
        }
        return snippets.GetValueOrDefault(name);
    }

    public string Describe => sourceRoot is null ? "no snippet source root was configured" : $"no '// begin-snippet: <name>' region in the .cs files under {sourceRoot}";

    private Dictionary<string, Snippet> Scan()
    {
        var found = new Dictionary<string, Snippet>(StringComparer.Ordinal);
        if (sourceRoot is null || !Directory.Exists(sourceRoot)) return found;
        var files = Directory.EnumerateFiles(sourceRoot, "*.cs", SearchOption.AllDirectories)
            .Select(path => (path, relative: Path.GetRelativePath(sourceRoot, path).Replace('\\', '/')))
            .Where(file => !FeatureCatalog.IsBuildOutput(file.relative))
            .OrderBy(file => file.relative, StringComparer.Ordinal);
        foreach (var (path, relative) in files)
        {
            var lines = File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                var begin = BeginPattern().Match(lines[i]);
                if (!begin.Success) continue;
                var name = begin.Groups[1].Value;
                var end = Array.FindIndex(lines, i + 1, line => EndPattern().IsMatch(line));
                if (end < 0)
                {
                    scanProblems.Add(new($"{relative}:{i + 1}", $"Snippet '{name}' has no '// end-snippet' line after it."));
                    continue;
                }
                if (found.TryGetValue(name, out var earlier))
                    scanProblems.Add(new($"{relative}:{i + 1}", $"Snippet '{name}' is defined twice; the one in {earlier.RelativePath}:{earlier.FirstLine} is used. Rename one."));
                else
                    found[name] = new(name, relative, i + 2, end, Dedent(lines[(i + 1)..end]));
                i = end;
            }
        }
        return found;
    }

    private static string Dedent(string[] lines)
    {
        var indent = lines.Where(line => line.Trim().Length > 0).Select(line => line.Length - line.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(line => line.Length >= indent ? line[indent..] : line.TrimStart())).TrimEnd();
    }

    [GeneratedRegex(@"^\s*//\s*begin-snippet:\s*(\S+)\s*$")]
    private static partial Regex BeginPattern();

    [GeneratedRegex(@"^\s*//\s*end-snippet\s*$")]
    private static partial Regex EndPattern();
}
