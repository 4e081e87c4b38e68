using System.Text;

namespace ProviderSpecs.LivingDoc;

/// <summary>
/// One term of a selector: a tag the example carries (<c>@groq</c>), a feature file it is in (<c>fault_matrix.feature</c>,
/// matched as a path suffix), or words its name contains (<c>"answered alike"</c>, case-insensitive; an outline row's name
/// holds its cells, so a term can pick rows).
/// </summary>
public sealed record PlanTerm(string Kind, string Value)
{
    public bool Holds(IReadOnlySet<string> tags, string featurePath, string name) => Kind switch
    {
        "tag" => tags.Contains(Value),
        "feature" => featurePath == Value || featurePath.EndsWith("/" + Value, StringComparison.Ordinal),
        _ => name.Contains(Value, StringComparison.OrdinalIgnoreCase),
    };

    public override string ToString() => Kind switch { "words" => $"\"{Value}\"", _ => Value };
}

/// <summary>A selector: every term must hold.</summary>
public sealed record PlanSelector(IReadOnlyList<PlanTerm> Terms)
{
    public bool Matches(IReadOnlySet<string> tags, string featurePath, string name) => Terms.All(t => t.Holds(tags, featurePath, name));

    public override string ToString() => string.Join(" ", Terms);
}

/// <summary>One item of the validation plan: what is validated, and the selectors of the scenarios that cover it (any may match).</summary>
public sealed record PlanItem(string Area, string Item, IReadOnlyList<PlanSelector> Selectors, int Line)
{
    public bool Covers(IReadOnlySet<string> tags, string featurePath, string name) => Selectors.Any(s => s.Matches(tags, featurePath, name));
}

/// <summary>
/// The validation plan (<c>features/_ValidationPlan.md</c>): a Markdown table with the columns <c>area</c>, <c>item</c> and
/// <c>covered by</c>. A <c>covered by</c> cell holds selectors separated by <c>;</c>; a selector is terms separated by
/// spaces, all of which must hold: <c>@tag</c>, <c>file.feature</c>, <c>"words in the scenario's name"</c> (backticks
/// around a term are ignored). The living doc's validation report lists each item with the examples its selectors match.
/// </summary>
public sealed class ValidationPlan
{
    public const string FileName = "_ValidationPlan.md";

    private ValidationPlan(string path, IReadOnlyList<PlanItem> items)
    {
        Path = path;
        Items = items;
    }

    public string Path { get; }
    public IReadOnlyList<PlanItem> Items { get; }

    /// <summary>Reads the plan; an unreadable file or a row it cannot use is a problem, never an exception.</summary>
    public static ValidationPlan? Read(string path, List<LivingDocProblem> problems)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new(path, $"The validation plan could not be read: {e.Message}"));
            return null;
        }
        var items = new List<PlanItem>();
        int? area = null, item = null, coveredBy = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith('|'))
            {
                area = item = coveredBy = null; // a table ended: a later one needs its own header
                continue;
            }
            var cells = Cells(line);
            if (area is null)
            {
                var header = cells.Select(c => c.Trim().ToLowerInvariant()).ToList();
                if (header.Contains("item") && header.Contains("covered by"))
                    (area, item, coveredBy) = (header.IndexOf("area"), header.IndexOf("item"), header.IndexOf("covered by"));
                continue;
            }
            if (cells.All(c => c.Trim().Trim(':').All(ch => ch == '-'))) continue; // the separator row
            string Cell(int? index) => index is { } n and >= 0 && n < cells.Count ? cells[n].Trim() : "";
            var text = Cell(item);
            if (text.Length == 0) continue;
            var selectors = ParseSelectors(Cell(coveredBy), out var error);
            if (error is not null)
                problems.Add(new($"{path}:{i + 1}", $"The validation plan's item '{text}' has a selector that cannot be read: {error}. Write @tag, file.feature or \"words\", separated by spaces; selectors by ';'."));
            items.Add(new PlanItem(Cell(area), text, selectors, i + 1));
        }
        if (items.Count == 0)
            problems.Add(new(path, "The validation plan holds no table with the columns 'item' and 'covered by', so it lists nothing."));
        return new ValidationPlan(path, items);
    }

    /// <summary>The cells of a Markdown table row (an escaped <c>\|</c> stays in its cell).</summary>
    private static List<string> Cells(string row)
    {
        var cells = new List<string>();
        var current = new StringBuilder();
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] == '\\' && i + 1 < row.Length && row[i + 1] == '|') { current.Append('|'); i++; continue; }
            if (row[i] == '|') { cells.Add(current.ToString()); current.Clear(); continue; }
            current.Append(row[i]);
        }
        if (current.ToString().Trim().Length > 0) cells.Add(current.ToString());
        return cells;
    }

    internal static IReadOnlyList<PlanSelector> ParseSelectors(string cell, out string? error)
    {
        error = null;
        var selectors = new List<PlanSelector>();
        var terms = new List<PlanTerm>();
        var text = cell.Replace("`", "", StringComparison.Ordinal);
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == ';')
            {
                if (terms.Count > 0) selectors.Add(new PlanSelector(terms.ToList()));
                terms.Clear();
                i++;
                continue;
            }
            if (c is '"' or '“')
            {
                var close = text.IndexOfAny(['"', '”'], i + 1);
                if (close < 0) { error ??= $"a quote opened at '{text[i..]}' is not closed"; break; }
                var words = text[(i + 1)..close].Trim();
                if (words.Length > 0) terms.Add(new PlanTerm("words", words));
                i = close + 1;
                continue;
            }
            var end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != ';') end++;
            var token = text[i..end];
            if (token.StartsWith('@')) terms.Add(new PlanTerm("tag", token));
            else if (token.EndsWith(".feature", StringComparison.OrdinalIgnoreCase)) terms.Add(new PlanTerm("feature", token.TrimStart('.', '/')));
            else { error ??= $"'{token}' is neither a @tag, a .feature file nor \"quoted words\""; }
            i = end;
        }
        if (terms.Count > 0) selectors.Add(new PlanSelector(terms.ToList()));
        return selectors;
    }
}
