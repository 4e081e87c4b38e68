namespace ProviderSpecs.Cli.Support;

/// <summary>Close-match suggestions for a mistyped name: shared substring or small edit distance.</summary>
internal static class Names
{
    public static IReadOnlyList<string> CloseMatches(string wanted, IEnumerable<string> candidates, int max = 5)
    {
        var needle = wanted.Trim().ToLowerInvariant();
        return candidates.Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Distance: Distance(needle, c.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(2, needle.Length / 3)
                        || (needle.Length >= 3 && x.Name.Contains(needle, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(max).Select(x => x.Name).ToList();
    }

    public static string DidYouMean(string wanted, IEnumerable<string> candidates)
    {
        var close = CloseMatches(wanted, candidates);
        return close.Count > 0 ? $" Did you mean: {string.Join(", ", close)}?" : "";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
